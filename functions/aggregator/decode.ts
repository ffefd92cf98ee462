/**
 * Stream records of the clicks and orders tables, decoded into the facts the report counters are
 * computed from (domain/report-counters.ts). A record the counters do not care about decodes to
 * `undefined`; one that should matter but cannot be read is `malformed`, with the reason.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import type {
  AdjustmentFact,
  CreditFact,
  FeeFact,
  OrderRootFact,
  OrderShareFact,
  SourceChange,
} from '../common/domain/report-counters';
import { storedVisitorId } from '../common/repos/clicks';
import { isStorefrontView } from '../common/repos/storefronts';
import { type StreamImage as Image, imageOf } from '../common/stream-records';

export type Source = 'clicks' | 'orders';

export type Decoded = { ok: true; change: SourceChange | undefined } | { ok: false; reason: string };

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;
const integer = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;

export function decodeRecord(record: DynamoDBRecord, source: Source): Decoded {
  try {
    return source === 'clicks' ? decodeClick(record) : decodeOrderItem(record);
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

/** A click or storefront view counts once, when it is inserted; TTL deletions change nothing. */
function decodeClick(record: DynamoDBRecord): Decoded {
  if (record.eventName !== 'INSERT') return { ok: true, change: undefined };
  const item = imageOf(record.dynamodb?.NewImage);
  if (!item) return { ok: false, reason: 'An INSERT without a new image (the stream must show NEW_IMAGE).' };
  const influencerId = text(item.influencerId);
  const occurredAt = text(item.occurredAt);
  if (isStorefrontView(item)) {
    if (!influencerId || !occurredAt)
      return { ok: false, reason: 'A storefront view without influencer or time.' };
    return { ok: true, change: { kind: 'storefrontView', view: { influencerId, occurredAt } } };
  }
  const code = text(item.code);
  const merchantId = text(item.merchantId);
  // A bot click keeps its visitor outside the sparse visitor index (repos/clicks.ts).
  const visitorId = text(storedVisitorId(item));
  if (!code || !influencerId || !merchantId || !visitorId || !occurredAt) {
    return { ok: false, reason: 'A click without code, influencer, merchant, visitor or time.' };
  }
  return {
    ok: true,
    change: {
      kind: 'click',
      click: { code, influencerId, merchantId, visitorId, occurredAt, bot: item.bot === true },
    },
  };
}

function decodeOrderItem(record: DynamoDBRecord): Decoded {
  const sk = record.dynamodb?.Keys?.sk?.S ?? '';
  const before = imageOf(record.dynamodb?.OldImage);
  const after = imageOf(record.dynamodb?.NewImage);
  if (record.eventName === 'MODIFY' && (!before || !after)) {
    return { ok: false, reason: 'A MODIFY without both images (the stream must show NEW_AND_OLD_IMAGES).' };
  }
  if (sk === 'ROOT') {
    return { ok: true, change: { kind: 'orderRoot', before: rootOf(before), after: rootOf(after) } };
  }
  if (sk.startsWith('CREDIT#')) {
    return { ok: true, change: { kind: 'credit', before: creditOf(before), after: creditOf(after) } };
  }
  if (sk.startsWith('ADJ#')) {
    return {
      ok: true,
      change: { kind: 'adjustment', before: adjustmentOf(before), after: adjustmentOf(after) },
    };
  }
  if (sk.startsWith('FEE#')) {
    return { ok: true, change: { kind: 'fee', before: feeOf(before), after: feeOf(after) } };
  }
  return { ok: true, change: undefined }; // Refund events and anything else: no counter changes.
}

function rootOf(item: Image | undefined): OrderRootFact | undefined {
  if (!item) return undefined;
  const merchantId = text(item.merchantId);
  const orderId = text(item.orderId);
  if (!merchantId || !orderId) throw new Error('An order root without merchant or order id.');
  return {
    merchantId,
    orderId,
    status: text(item.status),
    currency: text(item.currency),
    occurredAt: text(item.occurredAt),
    amountMinor: integer(item.amountMinor),
    shares: sharesOf(item.shares),
  };
}

export function sharesOf(value: unknown): OrderShareFact[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((share: unknown) => {
    if (typeof share !== 'object' || share === null) return [];
    const s = share as Record<string, unknown>;
    const influencerId = text(s.influencerId);
    const weightBps = integer(s.weightBps);
    if (!influencerId || weightBps === undefined)
      throw new Error('An order share without influencer or weight.');
    const clickId = text(s.clickId);
    return [{ influencerId, weightBps, ...(clickId ? { clickId } : {}) }];
  });
}

function creditOf(item: Image | undefined): CreditFact | undefined {
  if (!item) return undefined;
  const fact = {
    merchantId: text(item.merchantId),
    orderId: text(item.orderId),
    influencerId: text(item.influencerId),
    currency: text(item.currency),
    occurredAt: text(item.occurredAt),
    amountMinor: integer(item.amountMinor),
  };
  const { merchantId, orderId, influencerId, currency, occurredAt, amountMinor } = fact;
  if (!merchantId || !orderId || !influencerId || !currency || !occurredAt || amountMinor === undefined) {
    throw new Error('A credit without merchant, order, influencer, currency, time or amount.');
  }
  const clickId = text(item.clickId);
  return {
    merchantId,
    orderId,
    influencerId,
    currency,
    occurredAt,
    amountMinor,
    ...(clickId ? { clickId } : {}),
  };
}

function adjustmentOf(item: Image | undefined): AdjustmentFact | undefined {
  if (!item) return undefined;
  const merchantId = text(item.merchantId);
  const orderId = text(item.orderId);
  const influencerId = text(item.influencerId);
  const currency = text(item.currency);
  const amountMinor = integer(item.amountMinor);
  if (!merchantId || !orderId || !influencerId || !currency || amountMinor === undefined) {
    throw new Error('An adjustment without merchant, order, influencer, currency or amount.');
  }
  return { merchantId, orderId, influencerId, currency, amountMinor };
}

/** A fee counts while it is owed (unpaid or paid); a cancelled one counts nowhere. */
function feeOf(item: Image | undefined): FeeFact | undefined {
  if (!item) return undefined;
  const merchantId = text(item.merchantId);
  const influencerId = text(item.influencerId);
  const currency = text(item.currency);
  const dueAt = text(item.dueAt);
  const amountMinor = integer(item.amountMinor);
  if (!merchantId || !influencerId || !currency || !dueAt || amountMinor === undefined) {
    throw new Error('A fee without merchant, influencer, currency, due time or amount.');
  }
  if (item.status === 'cancelled') return undefined;
  return { merchantId, influencerId, currency, dueAt, amountMinor };
}
