/**
 * One batch of stream records (clicks table or orders table) turned into counter updates: the whole
 * batch is aggregated in memory, then each counter item gets one `ADD` per chunk (usually the whole
 * batch is one chunk: 100 clicks on one link change 4 items).
 *
 * Exactly-once in effect under at-least-once delivery. Each chunk (a run of consecutive records) is
 * committed in one transaction with its marker, keyed by the chunk's first record and listing the
 * chunk's records in order (repos/counters.ts), so it is counted wholly or not at all. A replay is
 * recognised by a marker on the batch's FIRST record, because of this invariant: every record an
 * event source mapping can start a batch at either has never been counted, with nothing after it
 * counted either, or carries a marker listing the counted records from it to the end of their run.
 * An event source mapping (re)starts a batch only
 * - after a batch this function answered as done, at the record after it: a chunk starts there
 *   if the batch's last record was new; if the batch was a replay that ended inside a committed
 *   run, the run's rest gets a marker of its own, keyed by that next record, before answering;
 * - after a failure, at the checkpoint reported here: always the first record of the first chunk
 *   that did not commit (the chunks after it are not even tried), or at the batch's first record
 *   when the function failed as a whole (time-out, crash);
 * - on Lambda's rare duplicate delivery, at a checkpoint of one of those kinds.
 * So if the first record's marker is missing, nothing in the batch was counted; if it is there,
 * the markers of the other records are read too (a replay may span several earlier chunks). This
 * holds only if Lambda never splits a batch elsewhere: `bisectBatchOnFunctionError` is off (a poison
 * record is logged and skipped here instead) and the parallelization factor is 1 (lib/wiring.ts
 * `streams`). test/unit/aggregator.test.ts checks it against random delivery schedules.
 *
 * A record that cannot be read is logged and counted nowhere; a write that fails is retried by
 * reporting its chunk's first record in `batchItemFailures`.
 */
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import {
  dominatedElements,
  HLL_REGISTERS,
  maximalElements,
  sketchElement,
} from '../common/domain/hyperloglog';
import {
  type Contribution,
  ContributionSet,
  contributionsOf,
  counterKeyString,
  lookupsNeeded,
  type SourceChange,
} from '../common/domain/report-counters';
import { logger } from '../common/logger';
import { addItemMetric } from '../common/metrics';
import { BusinessMetric, serviceNameOf } from '../common/observability';
import { type Chunk, type CounterRepo, MAX_COUNTERS_PER_CHUNK } from '../common/repos/counters';
import { tableOfStreamArn } from '../common/stream-records';
import { decodeRecord, type Source } from './decode';
import type { Needs, ResolvedLookups } from './lookups';

export interface AggregatorDeps {
  counters: CounterRepo;
  /** Physical names of the tables whose streams feed the aggregator. */
  tables: Record<Source, string>;
  resolve(needs: Needs): Promise<ResolvedLookups>;
  compactor: SketchCompactor;
  now(): Date;
  /** Waits before retrying a conflicting chunk. */
  pause(ms: number): Promise<void>;
}

/** Stop starting chunks this close to the time-out, so a chunk is never cut off half-way. */
const TIME_RESERVE_MS = 5_000;
/** Attempts of a chunk whose transaction met a concurrent one on a shared counter item. */
const CONFLICT_ATTEMPTS = 6;

interface Entry {
  record: DynamoDBRecord;
  eventId: string;
  sequenceNumber: string;
  contributions: Contribution[];
}

interface PlannedChunk extends Chunk {
  sequenceNumber: string;
}

export async function aggregateBatch(
  deps: AggregatorDeps,
  records: readonly DynamoDBRecord[],
  remainingMs: () => number,
): Promise<DynamoDBBatchResponse> {
  const identified = records.flatMap((record) => {
    const eventId = record.eventID;
    const sequenceNumber = record.dynamodb?.SequenceNumber;
    if (eventId && sequenceNumber) return [{ record, eventId, sequenceNumber }];
    logger.error('Stream record without eventID or sequence number: skipped', { eventId });
    return [];
  });
  if (identified.length === 0) return { batchItemFailures: [] };

  const { applied, runs } = await deps.counters.appliedRecords(identified.map((r) => r.eventId));
  const pending = identified.filter((r) => !applied.has(r.eventId));
  if (applied.size > 0) {
    logger.info('Replayed stream records skipped', { skipped: identified.length - pending.length });
  }
  if (pending.length === 0) {
    // A replay that ends inside a committed run: the next batch starts on the run's next record.
    const lastId = identified[identified.length - 1]?.eventId;
    const run = runs.find((r) => lastId !== undefined && r.includes(lastId));
    const rest = run && lastId !== undefined ? run.slice(run.indexOf(lastId) + 1) : [];
    if (rest.length > 0) await deps.counters.markContinuation(rest, deps.now());
    return { batchItemFailures: [] };
  }

  const changes = pending.map((r) => ({ ...r, change: decode(deps, r.record, r.eventId) }));
  const needs = { clickIds: [] as string[], orders: [] as Array<[string, string]> };
  for (const { change } of changes) {
    if (!change) continue;
    const need = lookupsNeeded(change);
    needs.clickIds.push(...need.clickIds);
    needs.orders.push(...need.orders);
  }
  const lookups = await deps.resolve(needs);
  for (const [merchantId, orderId] of lookups.missingOrders) {
    logger.error('Adjustment of an order without a root: not counted', { merchantId, orderId });
  }

  const entries: Entry[] = changes.map(({ record, eventId, sequenceNumber, change }) => ({
    record,
    eventId,
    sequenceNumber,
    contributions: change ? contribute(change, lookups, eventId) : [],
  }));

  const compactions: Contribution[] = [];
  const clickKinds = clickKindsOf(changes);
  const committedClicks = { human: 0, bot: 0 };
  try {
    for (const chunk of planChunks(entries)) {
      if (remainingMs() < TIME_RESERVE_MS) {
        logger.warn('Out of time: the rest of the batch is left for a retry', { from: chunk.sequenceNumber });
        return { batchItemFailures: [{ itemIdentifier: chunk.sequenceNumber }] };
      }
      try {
        await commitChunk(deps, chunk);
      } catch (err) {
        logger.error('Counter chunk not committed: reported for a retry', err as Error);
        return { batchItemFailures: [{ itemIdentifier: chunk.sequenceNumber }] };
      }
      compactions.push(...chunk.updates);
      for (const id of chunk.recordIds) {
        const kind = clickKinds.get(id);
        if (kind) committedClicks[kind] += 1;
      }
    }
    return { batchItemFailures: [] };
  } finally {
    emitClickCounts(committedClicks);
    await deps.compactor.afterCommit(compactions);
  }
}

type ClickKind = 'human' | 'bot';

/** The redirect's clicks among the batch's new records (storefront views and orders are not clicks). */
function clickKindsOf(
  changes: ReadonlyArray<{ eventId: string; change: SourceChange | undefined }>,
): Map<string, ClickKind> {
  const kinds = new Map<string, ClickKind>();
  for (const { eventId, change } of changes) {
    if (change?.kind === 'click') kinds.set(eventId, change.click.bot ? 'bot' : 'human');
  }
  return kinds;
}

/**
 * The Clicks metric of the committed clicks, one EMF line per kind and batch instead of one per
 * redirect (observability.ts says why it carries the redirect's service). Counted at commit, like
 * the reports: a replayed click is not counted twice, a chunk left for a retry is counted then.
 */
function emitClickCounts(counts: Record<ClickKind, number>): void {
  for (const kind of ['human', 'bot'] as const) {
    if (counts[kind] === 0) continue;
    addItemMetric(BusinessMetric.Clicks, {
      service: serviceNameOf('redirect'),
      dimensions: { kind },
      value: counts[kind],
    });
  }
}

function decode(deps: AggregatorDeps, record: DynamoDBRecord, eventId: string): SourceChange | undefined {
  const table = tableOfStreamArn(record.eventSourceARN);
  const source: Source | undefined =
    table === deps.tables.clicks ? 'clicks' : table === deps.tables.orders ? 'orders' : undefined;
  if (!source) {
    logger.error('Stream record of an unknown table: skipped', { eventId, table });
    return undefined;
  }
  const decoded = decodeRecord(record, source);
  if (!decoded.ok) {
    logger.error('Unreadable stream record: skipped', { eventId, source, reason: decoded.reason });
    return undefined;
  }
  return decoded.change;
}

function contribute(change: SourceChange, lookups: ResolvedLookups, eventId: string): Contribution[] {
  try {
    return contributionsOf(change, lookups, sketchElement);
  } catch (err) {
    logger.error('Stream record whose counters cannot be computed: skipped', {
      eventId,
      reason: err instanceof Error ? err.message : String(err),
    });
    return [];
  }
}

/**
 * Consecutive records grouped so that each group changes at most MAX_COUNTERS_PER_CHUNK counter
 * items (one transaction). Deterministic and greedy from the first record, so a retry of the same
 * records plans the same first chunk. Within a chunk, a sketch keeps one element per register.
 */
export function planChunks(entries: readonly Entry[]): PlannedChunk[] {
  const chunks: PlannedChunk[] = [];
  let records: Entry[] = [];
  let keys = new Set<string>();
  let set = new ContributionSet();
  const close = () => {
    const [first] = records;
    if (!first) return;
    chunks.push({
      markerId: first.eventId,
      sequenceNumber: first.sequenceNumber,
      recordIds: records.map((r) => r.eventId),
      updates: set.list().map((u) => ({ ...u, visitors: maximalElements(u.visitors) })),
    });
  };
  for (const entry of entries) {
    let contributions = entry.contributions;
    const entryKeys = contributions.map((c) => counterKeyString(c.key));
    if (entryKeys.length > MAX_COUNTERS_PER_CHUNK) {
      logger.error('Stream record changes more counters than a transaction holds: not counted', {
        eventId: entry.eventId,
        counters: entryKeys.length,
      });
      contributions = [];
    }
    const added = entryKeys.filter((k) => !keys.has(k)).length;
    if (records.length > 0 && keys.size + added > MAX_COUNTERS_PER_CHUNK) {
      close();
      records = [];
      keys = new Set();
      set = new ContributionSet();
    }
    records.push(entry);
    for (const c of contributions) keys.add(counterKeyString(c.key));
    set.merge(contributions);
  }
  close();
  return chunks;
}

async function commitChunk(deps: AggregatorDeps, chunk: PlannedChunk): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const outcome = await deps.counters.commit(chunk, deps.now());
    if (outcome === 'alreadyCommitted') {
      logger.info('Chunk was committed before (its marker exists)', { markerId: chunk.markerId });
    }
    if (outcome !== 'conflict') return;
    if (attempt >= CONFLICT_ATTEMPTS) throw new Error(`Chunk ${chunk.markerId} kept conflicting.`);
    await deps.pause(Math.min(2000, 50 * 2 ** attempt) * (0.5 + Math.random() / 2));
  }
}

/**
 * Keeps stored sketches at about one element per register: after HLL_REGISTERS / 2 elements were
 * added to an item by this function instance, its redundant elements are deleted (one read, one
 * write). Best effort: it never changes an estimate, so a failure is only logged.
 */
export class SketchCompactor {
  private readonly added = new Map<string, number>();

  constructor(
    private readonly counters: Pick<CounterRepo, 'sketch' | 'removeSketchElements'>,
    private readonly threshold = HLL_REGISTERS / 2,
    private readonly maxTracked = 10_000,
  ) {}

  async afterCommit(updates: readonly Contribution[]): Promise<void> {
    for (const update of updates) {
      if (update.visitors.length === 0) continue;
      const id = counterKeyString(update.key);
      const count = (this.added.get(id) ?? 0) + update.visitors.length;
      this.added.delete(id);
      if (count < this.threshold) {
        if (this.added.size >= this.maxTracked) {
          const oldest = this.added.keys().next().value;
          if (oldest !== undefined) this.added.delete(oldest);
        }
        this.added.set(id, count);
        continue;
      }
      try {
        const dominated = dominatedElements(await this.counters.sketch(update.key));
        await this.counters.removeSketchElements(update.key, dominated);
      } catch (err) {
        logger.warn('Sketch compaction failed (estimates are unaffected)', err as Error);
      }
    }
  }
}
