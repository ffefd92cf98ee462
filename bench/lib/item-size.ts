/**
 * The size DynamoDB bills an item at, from its attribute values (the rules of the DynamoDB
 * Developer Guide, "Item sizes and formats"): each attribute's name in UTF-8 bytes plus its value:
 * a string its UTF-8 bytes, a number about one byte per two significant digits plus one, binary
 * its bytes, a boolean or null one byte, a list or map 3 bytes plus one byte per element and its
 * elements (map keys counted as names), sets the sum of their members. Writes are billed per
 * started 1 KB of this size (an item of 1,024 bytes or less is one write unit), so is a global
 * secondary index entry, from the attributes it projects.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

type Item = Record<string, AttributeValue>;

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

/** Bytes of a number as DynamoDB stores it: significant digits packed two to a byte, plus one. */
export function numberSize(text: string): number {
  const digits = text.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

export function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS) return value.SS.reduce((n, s) => n + utf8(s), 0);
  if (value.NS) return value.NS.reduce((n, s) => n + numberSize(s), 0);
  if (value.BS) return value.BS.reduce((n, b) => n + b.byteLength, 0);
  if (value.L) return 3 + value.L.reduce((n, v) => n + 1 + valueSize(v), 0);
  if (value.M) return 3 + Object.entries(value.M).reduce((n, [k, v]) => n + 1 + utf8(k) + valueSize(v), 0);
  throw new Error(`Unknown attribute value ${JSON.stringify(value)}`);
}

export function itemSize(item: Item): number {
  return Object.entries(item).reduce((n, [name, value]) => n + utf8(name) + valueSize(value), 0);
}

/** Write units of one write of an item of this size (1 per started KB; transactions bill twice). */
export const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));

/**
 * The size of an item's entry in the clicks table's `byVisitor` index (key `visitorId`, `clickId`;
 * the table's key is `clickId`): the keys alone, the keys and some attributes, or all of them.
 */
export function indexEntrySize(item: Item, projection: 'ALL' | 'KEYS_ONLY' | readonly string[]): number {
  const keys = ['clickId', 'visitorId'];
  const kept =
    projection === 'ALL' ? Object.keys(item) : projection === 'KEYS_ONLY' ? keys : [...keys, ...projection];
  return itemSize(Object.fromEntries(Object.entries(item).filter(([name]) => kept.includes(name))));
}
