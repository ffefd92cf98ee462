/**
 * The wiring manifest's DynamoDB streams on DynamoDB Local, read the way Lambda's event source
 * mapping reads them: per shard, in order, parents before children, at most `batchSize` records at a
 * time, filtered by `eventNames`, handed to the consumer's exported handler as a real
 * `DynamoDBStreamEvent`. A batch reported in `batchItemFailures` is read again from the lowest
 * failed sequence number (all of it if the handler throws); after `retryAttempts` retries its
 * position is logged (the local stand-in for the on-failure queue) and skipped. There is no
 * bisecting, as in the deployed mapping (lib/wiring.ts `StreamSpec`).
 *
 * Records are gathered as the mapping does: a batch goes to the consumer once it holds `batchSize`
 * records or `maxBatchingWindowSeconds` have passed since its first record was read, so a busy
 * stream costs few, full batches (each one a marker read and a transaction in the aggregator).
 * A full batch is followed by the next at once; after a read that found records the shards are read
 * again after `localPollIntervalMs`, and while they stay empty that pause doubles, up to
 * IDLE_POLL_MAX_MS. Every function runs in this one process, so a write it makes to DynamoDB Local
 * (a click, an order) cuts an idle poller's pause short (`onLocalWrite`): what the system does
 * itself is read within about a second, while an idle `npm start` reads each stream once in a few
 * seconds, for writes from outside the process.
 * Where each shard was read to is kept in a small table of DynamoDB Local's own, so `npm start` on
 * the same DATA_DIR resumes where it stopped instead of replaying the stream.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type _Record as StreamsRecord,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import type {
  AttributeValue,
  Context,
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
} from 'aws-lambda';
import { functions, type StreamSpec } from '../wiring';
import { lambdaContext } from './api-gateway-event';
import { sdkLocal } from './stores';

export type StreamLambda = (
  event: DynamoDBStreamEvent,
  context: Context,
) => Promise<DynamoDBBatchResponse | undefined>;

export interface StreamPoller {
  stop(): Promise<void>;
}

/** Where a shard has been read to: every record up to and including `sequenceNumber` is done. */
export interface CheckpointStore {
  get(shardKey: string): Promise<string | undefined>;
  put(shardKey: string, sequenceNumber: string): Promise<void>;
}

export interface FailedBatch {
  streamArn: string;
  shardId: string;
  firstSequenceNumber: string;
  lastSequenceNumber: string;
  size: number;
}

/** How often the shard list is read again to find shards that DynamoDB Local opened since. */
const SHARD_REFRESH_MS = 60_000;

/**
 * The longest pause between reads of idle shards. Only a write from another process waits this
 * long (this process's own writes wake the poller, WOKEN_READ_DELAY_MS), and it is inside the 10 s
 * in which a click must show in reports even for a click written from outside. Each idle read
 * costs DynamoDB Local about 10 ms of CPU (measured): four streams read every 8 s are 0.5 % of a core.
 */
export const IDLE_POLL_MAX_MS = 8_000;

/**
 * How soon a poller reads after a write of this process. Any table's write wakes every poller (the
 * request's target is known, its table is not), so while clicks pour in, a stream with nothing new
 * is still read only once a second, as before wakes; the manifest's intervals (the pause after a
 * read that found records) are shorter, so a busy stream's batches are not cut smaller.
 */
export const WOKEN_READ_DELAY_MS = 1_000;

/** The rest of a pause once a write of this process is seen: no longer than WOKEN_READ_DELAY_MS. */
export function wokenDelay(remainingMs: number): number {
  return Math.min(remainingMs, WOKEN_READ_DELAY_MS);
}

/** The DynamoDB operations that can add stream records. */
const WRITE_TARGETS = new Set(
  [
    'PutItem',
    'UpdateItem',
    'DeleteItem',
    'BatchWriteItem',
    'TransactWriteItems',
    'ExecuteStatement',
    'BatchExecuteStatement',
    'ExecuteTransaction',
  ].map((operation) => `DynamoDB_20120810.${operation}`),
);
const writeListeners = new Map<string, Set<() => void>>();

/**
 * Calls `listener` after each DynamoDB write that this process's SDK clients (every handler's,
 * whichever module built them) got an answer to from `endpoint`: Node's own `http` diagnostics
 * channel sees every request, so the handlers stay as they are in Lambda. Returns its removal.
 */
export function onLocalWrite(endpoint: string, listener: () => void): () => void {
  if (writeListeners.size === 0) subscribe('http.client.response.finish', announceWrite);
  const host = new URL(endpoint).host;
  let listeners = writeListeners.get(host);
  if (!listeners) {
    listeners = new Set();
    writeListeners.set(host, listeners);
  }
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) writeListeners.delete(host);
    if (writeListeners.size === 0) unsubscribe('http.client.response.finish', announceWrite);
  };
}

function announceWrite(message: unknown): void {
  const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
  // A refused write (a failed condition, a validation error) wrote nothing.
  if (response.statusCode !== 200) return;
  const target = request.getHeader('x-amz-target');
  if (typeof target !== 'string' || !WRITE_TARGETS.has(target)) return;
  const host = request.getHeader('host');
  const listeners = typeof host === 'string' ? writeListeners.get(host) : undefined;
  for (const listener of listeners ?? []) listener();
}

/** The pause before the next read: the spec's interval after records, doubling while idle. */
export function nextPollDelay(
  previousMs: number | undefined,
  intervalMs: number,
  sawRecords: boolean,
  idleMaxMs = IDLE_POLL_MAX_MS,
): number {
  if (sawRecords || previousMs === undefined) return intervalMs;
  return Math.max(intervalMs, Math.min(idleMaxMs, previousMs * 2));
}

interface ShardState {
  id: string;
  parentId?: string;
  iterator?: string;
  /** The last sequence number handled (counted, or skipped after its retries). */
  checkpoint?: string;
  /** Retries of the batch that starts at `retryFrom`. */
  retries: number;
  retryFrom?: string;
  finished: boolean;
  /**
   * Records read but not yet handed over: a batch is gathered until it is full or the spec's
   * batching window has passed since its first record, as the event source mapping does.
   */
  pending: DynamoDBRecord[];
  /** When the first of `pending` was read (ms since the epoch). */
  pendingSince?: number;
  /** The last sequence number read into `pending`, filtered-out records included. */
  pendingLast?: string;
}

/**
 * Whether a gathered batch goes to the consumer now: when it is full, when the shard is closed, on a
 * retry (Lambda retries a failed batch at once), or once the batching window has passed since its
 * first record. An empty batch never does.
 */
export function batchIsDue(input: {
  size: number;
  batchSize: number;
  sinceMs: number | undefined;
  nowMs: number;
  windowMs: number;
  shardClosed: boolean;
  retrying: boolean;
}): boolean {
  if (input.size === 0) return false;
  if (input.size >= input.batchSize || input.shardClosed || input.retrying) return true;
  return input.nowMs - (input.sinceMs ?? input.nowMs) >= input.windowMs;
}

export function startStreamPoller(input: {
  endpoint: string;
  tableName: string;
  spec: StreamSpec;
  handler: () => Promise<StreamLambda>;
  checkpoints?: CheckpointStore;
  /**
   * Names this consumer's checkpoints apart from another's on the same stream (each reads it all,
   * as each event source mapping does in AWS). Empty for the stream's first consumer, whose
   * checkpoints predate a second one.
   */
  checkpointPrefix?: string;
  onError?: (err: unknown) => void;
  onFailedBatch?: (batch: FailedBatch) => void;
  /** The longest idle pause (default IDLE_POLL_MAX_MS). */
  idlePauseMaxMs?: number;
}): StreamPoller {
  const { spec } = input;
  const checkpointKey = (streamArn: string, shardId: string | undefined) =>
    `${input.checkpointPrefix ?? ''}${streamArn}#${shardId}`;
  const dynamo = new DynamoDBClient({ endpoint: input.endpoint, ...sdkLocal() });
  const client = new DynamoDBStreamsClient({ endpoint: input.endpoint, ...sdkLocal() });
  const consumer = spec.consumer;
  const accepted = spec.eventNames ? new Set<string>(spec.eventNames) : undefined;
  const windowMs = spec.maxBatchingWindowSeconds * 1000;
  const shards = new Map<string, ShardState>();
  let running = true;
  let nap: { resolve: () => void; timer: NodeJS.Timeout; until: number } | undefined;
  /** Set by a write seen while reading: that read may have missed its record, so no long pause. */
  let wroteMeanwhile = false;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const pause = wroteMeanwhile ? wokenDelay(ms) : ms;
      wroteMeanwhile = false;
      const done = () => {
        nap = undefined;
        resolve();
      };
      nap = { resolve: done, timer: setTimeout(done, pause), until: Date.now() + pause };
    });
  const wake = () => {
    if (!nap) return;
    clearTimeout(nap.timer);
    nap.resolve();
  };
  const offWrites = onLocalWrite(input.endpoint, () => {
    if (!nap) {
      wroteMeanwhile = true;
      return;
    }
    const pause = wokenDelay(nap.until - Date.now());
    if (Date.now() + pause >= nap.until) return;
    clearTimeout(nap.timer);
    nap.timer = setTimeout(nap.resolve, Math.max(0, pause));
    nap.until = Date.now() + pause;
  });

  async function streamArnOf(): Promise<string> {
    for (;;) {
      const out = await dynamo.send(new DescribeTableCommand({ TableName: input.tableName }));
      const arn = out.Table?.LatestStreamArn;
      if (arn) return arn;
      if (!running) throw new Error('stopped');
      await sleep(spec.localPollIntervalMs);
    }
  }

  async function refreshShards(streamArn: string): Promise<void> {
    let start: string | undefined;
    do {
      const out = await client.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }),
      );
      for (const shard of out.StreamDescription?.Shards ?? []) {
        if (!shard.ShardId || shards.has(shard.ShardId)) continue;
        const checkpoint = await input.checkpoints?.get(checkpointKey(streamArn, shard.ShardId));
        shards.set(shard.ShardId, {
          id: shard.ShardId,
          ...(shard.ParentShardId ? { parentId: shard.ParentShardId } : {}),
          ...(checkpoint ? { checkpoint } : {}),
          retries: 0,
          finished: false,
          pending: [],
        });
      }
      start = out.StreamDescription?.LastEvaluatedShardId;
    } while (start);
  }

  /** A shard is read once its parent is finished (or is no longer in the stream). */
  const ready = (shard: ShardState) => {
    if (shard.finished) return false;
    const parent = shard.parentId ? shards.get(shard.parentId) : undefined;
    return !parent || parent.finished;
  };

  async function iteratorOf(streamArn: string, shard: ShardState, discoveredLate: boolean): Promise<string> {
    const position = shard.retryFrom
      ? { ShardIteratorType: 'AT_SEQUENCE_NUMBER' as const, SequenceNumber: shard.retryFrom }
      : shard.checkpoint
        ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, SequenceNumber: shard.checkpoint }
        : {
            // A shard that appears while running holds only new records: read it whole.
            ShardIteratorType:
              spec.startingPosition === 'LATEST' && !discoveredLate
                ? ('LATEST' as const)
                : ('TRIM_HORIZON' as const),
          };
    const out = await client.send(
      new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.id, ...position }),
    );
    if (!out.ShardIterator) throw new Error(`No iterator for shard ${shard.id}`);
    return out.ShardIterator;
  }

  async function invoke(records: DynamoDBRecord[]): Promise<string | undefined> {
    const event: DynamoDBStreamEvent = { Records: records };
    try {
      const handler = await input.handler();
      const response = await handler(event, lambdaContext(consumer, functions[consumer].timeoutSeconds));
      // Like Lambda: the lowest reported sequence number is where the retry starts.
      const failed = (response?.batchItemFailures ?? [])
        .map((f) => f.itemIdentifier)
        .filter((id) => records.some((r) => r.dynamodb?.SequenceNumber === id));
      return failed.sort(compareSequenceNumbers)[0];
    } catch (err) {
      input.onError?.(err);
      return records[0]?.dynamodb?.SequenceNumber;
    }
  }

  /**
   * Reads a shard once, adds what it read to the batch being gathered and hands that batch over once
   * it is due (batchIsDue): whether it read any, whether more are waiting, and when the gathered
   * batch falls due if it is still held.
   */
  async function pollShard(
    streamArn: string,
    shard: ShardState,
    discoveredLate: boolean,
  ): Promise<{ received: boolean; more: boolean; dueAt?: number }> {
    shard.iterator ??= await iteratorOf(streamArn, shard, discoveredLate);
    const retrying = shard.retryFrom !== undefined;
    const room = spec.batchSize - shard.pending.length;
    let out: GetRecordsCommandOutput;
    try {
      out = await client.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: room }));
    } catch (err) {
      if (err instanceof ExpiredIteratorException || err instanceof TrimmedDataAccessException) {
        // Read again from the checkpoint: what was gathered since is read again too.
        shard.iterator = undefined;
        shard.pending = [];
        shard.pendingSince = undefined;
        shard.pendingLast = undefined;
        return { received: false, more: true };
      }
      throw err;
    }
    const raw = out.Records ?? [];
    const next = out.NextShardIterator;
    shard.iterator = next;
    const lastRead = raw[raw.length - 1]?.dynamodb?.SequenceNumber;
    if (lastRead) shard.pendingLast = lastRead;
    for (const r of raw) {
      if (accepted && (r.eventName === undefined || !accepted.has(r.eventName))) continue;
      shard.pending.push(toLambdaRecord(r, streamArn));
    }
    const now = Date.now();
    if (shard.pending.length > 0) shard.pendingSince ??= now;
    const due = batchIsDue({
      size: shard.pending.length,
      batchSize: spec.batchSize,
      sinceMs: shard.pendingSince,
      nowMs: now,
      windowMs,
      shardClosed: next === undefined,
      retrying,
    });
    if (!due && shard.pending.length > 0) {
      return { received: raw.length > 0, more: false, dueAt: (shard.pendingSince ?? now) + windowMs };
    }

    const records = due ? shard.pending : [];
    const last = shard.pendingLast;
    shard.pending = [];
    shard.pendingSince = undefined;
    shard.pendingLast = undefined;
    const failedAt = records.length > 0 ? await invoke(records) : undefined;
    if (failedAt === undefined) {
      shard.retries = 0;
      shard.retryFrom = undefined;
      if (last) await advance(streamArn, shard, last);
    } else {
      const firstFailed = records.findIndex((r) => r.dynamodb?.SequenceNumber === failedAt);
      const done = records[firstFailed - 1]?.dynamodb?.SequenceNumber;
      if (done) await advance(streamArn, shard, done);
      shard.retries = shard.retryFrom === failedAt ? shard.retries + 1 : 1;
      shard.retryFrom = failedAt;
      shard.iterator = undefined;
      if (shard.retries > spec.retryAttempts) {
        const batch = records.slice(Math.max(0, firstFailed));
        input.onFailedBatch?.({
          streamArn,
          shardId: shard.id,
          firstSequenceNumber: failedAt,
          lastSequenceNumber: last ?? failedAt,
          size: batch.length,
        });
        shard.retries = 0;
        shard.retryFrom = undefined;
        if (last) await advance(streamArn, shard, last);
        shard.iterator = next;
      } else {
        // Lambda retries at once; a short pause keeps a failing store from being hammered.
        await sleep(Math.min(5_000, 100 * 2 ** shard.retries));
      }
    }
    if (shard.iterator === undefined && failedAt === undefined) shard.finished = true;
    return {
      received: raw.length > 0,
      more: raw.length >= room || (failedAt !== undefined && shard.retryFrom !== undefined),
    };
  }

  async function advance(streamArn: string, shard: ShardState, sequenceNumber: string) {
    shard.checkpoint = sequenceNumber;
    await input.checkpoints?.put(checkpointKey(streamArn, shard.id), sequenceNumber);
  }

  const loop = (async () => {
    let streamArn: string;
    try {
      streamArn = await streamArnOf();
      await refreshShards(streamArn);
    } catch (err) {
      if (running) input.onError?.(err);
      return;
    }
    const known = new Set(shards.keys());
    let refreshedAt = Date.now();
    let delay: number | undefined;
    while (running) {
      let more = false;
      let received = false;
      /** The earliest moment a batch held back for its window falls due. */
      let dueAt: number | undefined;
      try {
        if (Date.now() - refreshedAt > SHARD_REFRESH_MS || [...shards.values()].every((s) => s.finished)) {
          await refreshShards(streamArn);
          refreshedAt = Date.now();
        }
        for (const shard of [...shards.values()].filter(ready)) {
          if (!running) break;
          const read = await pollShard(streamArn, shard, !known.has(shard.id));
          if (read.more) more = true;
          if (read.received) received = true;
          if (read.dueAt !== undefined) dueAt = Math.min(dueAt ?? read.dueAt, read.dueAt);
        }
      } catch (err) {
        if (!running) break;
        input.onError?.(err);
      }
      // A failed read backs off like an empty one: a store that is down is not hammered.
      delay = nextPollDelay(delay, spec.localPollIntervalMs, received || more, input.idlePauseMaxMs);
      // A held batch is read again when its window ends at the latest, and handed over then.
      const pause = dueAt === undefined ? delay : Math.max(0, Math.min(delay, dueAt - Date.now()));
      if (!more && running) await sleep(pause);
    }
  })();

  return {
    async stop() {
      running = false;
      offWrites();
      wake();
      await loop;
      dynamo.destroy();
      client.destroy();
    },
  };
}

/** Sequence numbers are decimal strings of varying length: compare them as numbers. */
export function compareSequenceNumbers(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A record as the Streams API returns it, in the shape Lambda delivers it (JSON attribute values). */
export function toLambdaRecord(record: StreamsRecord, streamArn: string): DynamoDBRecord {
  const stream = record.dynamodb;
  const created = stream?.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion,
    eventSourceARN: streamArn,
    dynamodb: {
      ...(created ? { ApproximateCreationDateTime: Math.floor(created.getTime() / 1000) } : {}),
      ...(stream?.Keys ? { Keys: wireImage(stream.Keys) } : {}),
      ...(stream?.NewImage ? { NewImage: wireImage(stream.NewImage) } : {}),
      ...(stream?.OldImage ? { OldImage: wireImage(stream.OldImage) } : {}),
      SequenceNumber: stream?.SequenceNumber,
      SizeBytes: stream?.SizeBytes,
      StreamViewType: stream?.StreamViewType,
    },
    ...(record.userIdentity ? { userIdentity: { ...record.userIdentity } } : {}),
  };
}

/** The SDK's attribute values (binary as bytes) in Lambda's JSON form (binary as base64). */
function wireImage(image: object): Record<string, AttributeValue> {
  return wireValue(image) as Record<string, AttributeValue>;
}

/** What a JSON round trip would make of a value, without the text in between (absent members dropped). */
function wireValue(value: unknown): unknown {
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (Array.isArray(value)) return value.map(wireValue);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) if (member !== undefined) out[key] = wireValue(member);
  return out;
}

/**
 * Checkpoints in a table of DynamoDB Local (created when missing): it lives in the same data
 * directory as the tables whose streams it tracks, so both survive a restart together.
 */
export async function localCheckpointStore(endpoint: string, tableName: string) {
  const client = new DynamoDBClient({ endpoint, ...sdkLocal() });
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException)) throw err;
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'shard', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'shard', KeyType: 'HASH' }],
        }),
      );
    } catch (createErr) {
      if (!(createErr instanceof ResourceInUseException)) throw createErr;
    }
  }
  const store: CheckpointStore & { close(): void } = {
    async get(shard) {
      const out = await client.send(
        new GetItemCommand({ TableName: tableName, Key: { shard: { S: shard } }, ConsistentRead: true }),
      );
      return out.Item?.sequenceNumber?.S;
    },
    async put(shard, sequenceNumber) {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: { shard: { S: shard }, sequenceNumber: { S: sequenceNumber } },
        }),
      );
    },
    close: () => client.destroy(),
  };
  return store;
}
