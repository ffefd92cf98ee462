/**
 * For the aggregator's unit tests: the counters repository's contract in memory — `ADD` on numbers
 * and number sets, a chunk applied all or nothing with its marker, markers looked up as the real
 * one does — with hooks to inject the failures a stream consumer meets (a lost answer, a conflict,
 * an error before writing). Stream records in Lambda's shape are built with `streamRecord`.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import type { Contribution, CounterKey } from '../../functions/common/domain/report-counters';
import type {
  AppliedRecords,
  Chunk,
  CommitOutcome,
  CounterRepo,
} from '../../functions/common/repos/counters';

type Stored = Record<string, number | Set<number>>;

export type CommitFault = 'conflict' | 'errorBeforeWrite' | 'errorAfterWrite';

export class MemoryCounters implements CounterRepo {
  readonly items = new Map<string, Stored>();
  readonly markers = new Map<string, string[]>();
  commits = 0;
  markerReads = 0;
  /** Decides a fault for the n-th commit call (1-based). */
  fault: (call: number, chunk: Chunk) => CommitFault | undefined = () => undefined;

  async appliedRecords(eventIds: readonly string[]): Promise<AppliedRecords> {
    const found: AppliedRecords = { applied: new Set(), runs: [] };
    const [first] = eventIds;
    this.markerReads += 1;
    if (first === undefined || !this.markers.has(first)) return found;
    for (const id of eventIds) {
      const run = this.markers.get(id);
      if (!run) continue;
      for (const r of run) found.applied.add(r);
      found.runs.push([...run]);
    }
    return found;
  }

  async markContinuation(recordIds: readonly string[]): Promise<void> {
    const [first] = recordIds;
    if (first !== undefined && !this.markers.has(first)) this.markers.set(first, [...recordIds]);
  }

  async commit(chunk: Chunk): Promise<CommitOutcome> {
    this.commits += 1;
    const fault = this.fault(this.commits, chunk);
    if (fault === 'errorBeforeWrite') throw new Error('Injected: the store failed');
    if (fault === 'conflict') return 'conflict';
    if (this.markers.has(chunk.markerId)) return 'alreadyCommitted';
    for (const update of chunk.updates) this.apply(update);
    this.markers.set(chunk.markerId, [...chunk.recordIds]);
    if (fault === 'errorAfterWrite') throw new Error('Injected: committed, but the answer was lost');
    return 'committed';
  }

  async sketch(key: CounterKey): Promise<number[]> {
    const set = this.items.get(id(key))?.visitors;
    return set instanceof Set ? [...set] : [];
  }

  async removeSketchElements(key: CounterKey, elements: readonly number[]): Promise<void> {
    const set = this.items.get(id(key))?.visitors;
    if (set instanceof Set) for (const e of elements) set.delete(e);
  }

  async range(pk: string, low: string, high: string) {
    return [...this.items.entries()]
      .map(([key, item]) => ({ key: key.split('|'), item }))
      .filter(({ key: [p, s] }) => p === pk && s !== undefined && s >= low && s <= high)
      .map(({ key: [, sk], item }) => ({ sk: sk ?? '', item: { ...item } as Record<string, unknown> }));
  }

  /** A counter item's attributes, sketches as element counts, for comparisons. */
  snapshot(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [key, item] of [...this.items.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      out[key] = Object.fromEntries(
        Object.entries(item).map(([k, v]) => [k, v instanceof Set ? v.size : v] as [string, number]),
      );
    }
    return out;
  }

  get(pk: string, sk: string): Stored | undefined {
    return this.items.get(`${pk}|${sk}`);
  }

  private apply(update: Contribution): void {
    const item = this.items.get(id(update.key)) ?? {};
    for (const [attribute, amount] of Object.entries(update.add)) {
      const current = item[attribute];
      item[attribute] = (typeof current === 'number' ? current : 0) + amount;
    }
    if (update.visitors.length > 0) {
      const set = item.visitors instanceof Set ? item.visitors : new Set<number>();
      for (const e of update.visitors) set.add(e);
      item.visitors = set;
    }
    this.items.set(id(update.key), item);
  }
}

const id = (key: CounterKey) => `${key.pk}|${key.sk}`;

let sequence = 1000;

/** A stream record as Lambda delivers it (attribute values in their JSON form). */
export function streamRecord(input: {
  table: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  keys: Record<string, unknown>;
  newImage?: Record<string, unknown>;
  oldImage?: Record<string, unknown>;
  sequenceNumber?: string;
}): DynamoDBRecord {
  sequence += 1;
  const wire = (image: Record<string, unknown>) =>
    marshall(image, { removeUndefinedValues: true }) as unknown as Record<string, AttributeValue>;
  const seq = input.sequenceNumber ?? String(sequence).padStart(21, '0');
  return {
    eventID: `event-${seq}`,
    eventName: input.eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    eventSourceARN: `arn:aws:dynamodb:us-east-1:000000000000:table/${input.table}/stream/2026-11-01T00:00:00.000`,
    dynamodb: {
      Keys: wire(input.keys),
      ...(input.newImage ? { NewImage: wire(input.newImage) } : {}),
      ...(input.oldImage ? { OldImage: wire(input.oldImage) } : {}),
      SequenceNumber: seq,
      SizeBytes: 100,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}
