/**
 * The counters table: per-day report counters (keys and attributes in domain/report-counters.ts),
 * and the markers that make the stream aggregator's writes exactly-once in effect.
 *
 *   pk = INF#… / MER#…, sk = D#…            counter items, only ever changed by `ADD`
 *   pk = APPLIED#<eventID>, sk = APPLIED    marker of a committed chunk of stream records: the
 *                                           eventIDs of the chunk's records from that one on, in
 *                                           stream order; expires after 3 days
 *
 * Why markers rather than "the last sequence number per shard" on each counter item: a Lambda
 * stream event does not say which shard its records come from, and sequence numbers are ordered
 * only within a shard, so they cannot be compared on an item that several shards update. A chunk
 * (a run of consecutive records of one batch) is instead committed in ONE transaction: one `ADD`
 * per counter item it changes, plus its marker, keyed by the chunk's first record and created only
 * if absent. So a chunk is either wholly counted, with a marker saying so, or not at all. See
 * functions/aggregator/aggregate.ts for why checking the batch's first record finds every replay.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../clients/aws';
import { type Contribution, type CounterKey, SKETCH_ATTRIBUTE } from '../domain/report-counters';
import { ITEM_TYPE, queryAll, type TransactItem } from './items';

/** Item types of this table; counter items' attributes are the domain's (report-counters.ts). */
const COUNTER_ITEM_TYPE = 'counter';
const MARKER_ITEM_TYPE = 'appliedChunk';

/** Markers outlive the stream's 24-hour retention, and a day of retries besides. */
export const MARKER_TTL_SECONDS = 3 * 86_400;
/** TransactWriteItems takes at most 100 actions: 99 counter items and the marker. */
export const MAX_COUNTERS_PER_CHUNK = 99;

const markerKey = (eventId: string) => ({ pk: `APPLIED#${eventId}`, sk: 'APPLIED' });

export interface Chunk {
  /** The eventID of the chunk's first record: the marker's key. */
  markerId: string;
  /** The eventIDs of every record of the chunk (also those that changed no counter). */
  recordIds: string[];
  updates: Contribution[];
}

/**
 * `committed`: this call applied the chunk. `alreadyCommitted`: its marker exists, so an earlier
 * attempt did (e.g. one whose answer was lost). `conflict`: a concurrent transaction touched one of
 * the items; nothing was applied, try again.
 */
export type CommitOutcome = 'committed' | 'alreadyCommitted' | 'conflict';

/** What the markers of a batch's records say. */
export interface AppliedRecords {
  /** eventIDs already counted. */
  applied: Set<string>;
  /** Each marker found: the eventIDs of a committed run of records, in stream order. */
  runs: string[][];
}

export interface CounterItem {
  sk: string;
  item: Record<string, unknown>;
}

export function counterRepo(tableName: string) {
  function updateOf(update: Contribution): TransactItem | undefined {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const clauses: string[] = [];
    Object.entries(update.add).forEach(([attribute, amount], i) => {
      names[`#a${i}`] = attribute;
      values[`:a${i}`] = amount;
      clauses.push(`#a${i} :a${i}`);
    });
    if (update.visitors.length > 0) {
      names['#v'] = SKETCH_ATTRIBUTE;
      // A JavaScript Set of numbers is stored as a number set: ADD on it is a set union.
      values[':v'] = new Set(update.visitors);
      clauses.push('#v :v');
    }
    if (clauses.length === 0) return undefined;
    names['#itemType'] = ITEM_TYPE;
    values[':itemType'] = COUNTER_ITEM_TYPE;
    return {
      Update: {
        TableName: tableName,
        Key: update.key,
        UpdateExpression: `ADD ${clauses.join(', ')} SET #itemType = :itemType`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    };
  }

  return {
    /**
     * The eventIDs among `eventIds` (a batch, in order) that earlier invocations already counted.
     * One consistent read of the first record's marker; only when there is one (a replay) are the
     * markers of the other records read too.
     */
    async appliedRecords(eventIds: readonly string[]): Promise<AppliedRecords> {
      const found: AppliedRecords = { applied: new Set(), runs: [] };
      const [first, ...rest] = eventIds;
      if (first === undefined) return found;
      const out = await dynamo().send(
        new GetCommand({ TableName: tableName, Key: markerKey(first), ConsistentRead: true }),
      );
      if (!out.Item) return found;
      addRun(found, out.Item);
      for (let i = 0; i < rest.length; i += 100) {
        let keys: Array<Record<string, unknown>> | undefined = rest.slice(i, i + 100).map(markerKey);
        for (let attempt = 0; keys && keys.length > 0; attempt++) {
          if (attempt > 0) await backoff(attempt);
          const page: BatchGetCommandOutput = await dynamo().send(
            new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }),
          );
          for (const item of page.Responses?.[tableName] ?? []) addRun(found, item);
          keys = page.UnprocessedKeys?.[tableName]?.Keys;
        }
      }
      return found;
    },

    /**
     * A marker for the rest of a committed run, keyed by its first record: written when a replayed
     * batch ends inside a run, since the next batch will start there (see aggregate.ts).
     */
    async markContinuation(recordIds: readonly string[], now: Date): Promise<void> {
      const [first] = recordIds;
      if (first === undefined) return;
      try {
        await dynamo().send(
          new PutCommand({
            TableName: tableName,
            Item: markerItem(first, recordIds, now),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (err) {
        // Already there: an earlier replay wrote the same continuation.
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
      }
    },

    /** Applies a chunk's additions and creates its marker, all or nothing (see the header). */
    async commit(chunk: Chunk, now: Date): Promise<CommitOutcome> {
      if (chunk.recordIds.length === 0) throw new Error('A chunk has at least one record.');
      const updates = chunk.updates.map(updateOf).filter((u): u is TransactItem => u !== undefined);
      if (updates.length > MAX_COUNTERS_PER_CHUNK) {
        throw new Error(`A chunk changes ${updates.length} counters; at most ${MAX_COUNTERS_PER_CHUNK} fit.`);
      }
      const marker: TransactItem = {
        Put: {
          TableName: tableName,
          Item: markerItem(chunk.markerId, chunk.recordIds, now),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      };
      try {
        await dynamo().send(new TransactWriteCommand({ TransactItems: [marker, ...updates] }));
        return 'committed';
      } catch (err) {
        if (!(err instanceof TransactionCanceledException)) throw err;
        const reasons = err.CancellationReasons ?? [];
        if (reasons[0]?.Code === 'ConditionalCheckFailed') return 'alreadyCommitted';
        if (reasons.some((r) => r.Code === 'TransactionConflict')) return 'conflict';
        throw err;
      }
    },

    /** The stored sketch elements of a counter item (for compaction). */
    async sketch(key: CounterKey): Promise<number[]> {
      const out = await dynamo().send(
        new GetCommand({
          TableName: tableName,
          Key: key,
          ProjectionExpression: '#v',
          ExpressionAttributeNames: { '#v': SKETCH_ATTRIBUTE },
        }),
      );
      const sketch = out.Item?.[SKETCH_ATTRIBUTE];
      return sketch instanceof Set ? [...sketch].filter((e): e is number => typeof e === 'number') : [];
    },

    /**
     * Deletes redundant sketch elements. Safe without a condition or a marker: a register's largest
     * element is never among them, and re-adding a deleted one on a replay changes no estimate.
     */
    async removeSketchElements(key: CounterKey, elements: readonly number[]): Promise<void> {
      if (elements.length === 0) return;
      await dynamo().send(
        new UpdateCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: 'DELETE #v :gone',
          ExpressionAttributeNames: { '#v': SKETCH_ATTRIBUTE },
          ExpressionAttributeValues: { ':gone': new Set(elements) },
        }),
      );
    },

    /** Every counter item of a partition with a sort key between `low` and `high`, every page read. */
    async range(pk: string, low: string, high: string): Promise<CounterItem[]> {
      const items: CounterItem[] = [];
      const found = queryAll({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :low AND :high',
        ExpressionAttributeValues: { ':pk': pk, ':low': low, ':high': high },
      });
      for await (const item of found) items.push({ sk: String(item.sk), item });
      return items;
    },
  };
}
export type CounterRepo = ReturnType<typeof counterRepo>;

function markerItem(eventId: string, recordIds: readonly string[], now: Date) {
  return {
    ...markerKey(eventId),
    [ITEM_TYPE]: MARKER_ITEM_TYPE,
    // A list, not a set: the order tells where a replayed batch ends inside the run.
    records: [...recordIds],
    expiresAt: Math.floor(now.getTime() / 1000) + MARKER_TTL_SECONDS,
  };
}

function addRun(found: AppliedRecords, marker: Record<string, unknown>): void {
  const records = Array.isArray(marker.records)
    ? marker.records.filter((id): id is string => typeof id === 'string')
    : [];
  for (const id of records) found.applied.add(id);
  found.runs.push(records);
}

const backoff = (attempt: number) =>
  new Promise((resolve) =>
    setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt) * (0.5 + Math.random() / 2)),
  );
