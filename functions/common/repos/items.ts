/**
 * What every entity module shares: the attribute that names an item's type (the same in every
 * table), reading items back through their schema, and reading every page of a query.
 *
 * Each entity module declares its item type once — its key builders, its schema, `toItem` and
 * `fromItem` — as ElectroDB does with data, without the library: what is read back is checked
 * against the declaration, and a corrupt item fails loudly with its table, key and what is wrong,
 * instead of travelling on as a wrongly typed value.
 */
import { paginateQuery, type QueryCommandInput, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../clients/aws';
import * as z from '../schemas/zod';

/** The attribute that says which entity an item is, in every table. */
export const ITEM_TYPE = 'itemType';

export type Item = Record<string, unknown>;

/** One item of a TransactWriteItems call; entity modules hand these to whoever writes the transaction. */
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** An item that does not match its entity's declaration. */
export class CorruptItemError extends Error {
  override readonly name = 'CorruptItemError';
}

export interface EntitySpec<S extends z.core.$ZodType> {
  /** The value of `itemType` on every item of this entity. */
  itemType: string;
  /** The key attributes (table and index keys): named in errors, never part of the entity. */
  keyAttributes: readonly string[];
  /** The entity's fields (unknown attributes, such as the keys, are dropped on the way in). */
  schema: S;
}

export interface Entity<S extends z.core.$ZodType> {
  itemType: string;
  /** The entity as read back: checked against the schema, or a `CorruptItemError`. */
  fromItem(tableName: string, item: Item): z.output<S>;
  /** The attributes of an item: its keys, its type marker, its fields. */
  toItem(keys: Item, fields: object): Item;
}

export function entity<S extends z.core.$ZodType>(spec: EntitySpec<S>): Entity<S> {
  const checked = z.intersection(z.object({ [ITEM_TYPE]: z.literal(spec.itemType) }), spec.schema);
  return {
    itemType: spec.itemType,
    fromItem(tableName, item) {
      // Items written before the type marker existed are known by their key alone: the caller read
      // this entity's key, so a missing marker is this entity's (a different marker is corrupt).
      const result = checked.safeParse(
        item[ITEM_TYPE] === undefined ? { ...item, [ITEM_TYPE]: spec.itemType } : item,
      );
      if (result.success) {
        const { [ITEM_TYPE]: _type, ...fields } = result.data as Item;
        return fields as z.output<S>;
      }
      const key = Object.fromEntries(spec.keyAttributes.map((name) => [name, item[name]]));
      const issues = result.error.issues
        .map((issue) => `${issue.path.join('.') || '(item)'}: ${issue.message}`)
        .join('; ');
      throw new CorruptItemError(
        `Corrupt ${spec.itemType} item in table ${tableName} at key ${JSON.stringify(key)}: ${issues}`,
      );
    },
    toItem(keys, fields) {
      return { ...keys, [ITEM_TYPE]: spec.itemType, ...fields };
    },
  };
}

/**
 * Every item a query returns, page after page (`paginateQuery` follows `LastEvaluatedKey`).
 * `pageSize` is the query's `Limit`: how many items each call reads.
 */
export async function* queryAll(input: QueryCommandInput, pageSize?: number): AsyncGenerator<Item> {
  for await (const page of queryPages(input, pageSize)) yield* page;
}

/** The pages of a query, for callers that work a page at a time (e.g. one transaction per page). */
export async function* queryPages(input: QueryCommandInput, pageSize?: number): AsyncGenerator<Item[]> {
  for await (const page of queryPagesFrom(input, pageSize)) yield page.items;
}

/** A page of a query and the key its next page starts from (absent after the last page). */
export interface QueryPage {
  items: Item[];
  next?: Item;
}

/**
 * One page of a query, from `start` (the `next` of the page before; absent for the first page),
 * for work that stops after a page and resumes later from a stored `next` (e.g. on a payout run).
 */
export async function queryPage(
  input: QueryCommandInput,
  pageSize: number,
  start?: Item,
): Promise<QueryPage> {
  for await (const page of queryPagesFrom(input, pageSize, start)) return page;
  return { items: [] };
}

async function* queryPagesFrom(
  input: QueryCommandInput,
  pageSize?: number,
  start?: Item,
): AsyncGenerator<QueryPage> {
  const config = {
    client: dynamo(),
    ...(pageSize === undefined ? {} : { pageSize }),
    ...(start === undefined ? {} : { startingToken: start }),
  };
  for await (const page of paginateQuery(config, input)) {
    yield { items: page.Items ?? [], ...(page.LastEvaluatedKey ? { next: page.LastEvaluatedKey } : {}) };
  }
}
