/**
 * The local stream poller gathers batches the way the deployed event source mapping does: records
 * that arrive within the spec's maxBatchingWindowSeconds go to the consumer together, a full batch
 * goes at once, and a lone record is still handed over once the window has passed.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { sdkLocal } from '../../lib/local/stores';
import { type CheckpointStore, type StreamPoller, startStreamPoller } from '../../lib/local/streams';
import { type StreamSpec, streams } from '../../lib/wiring';
import { waitFor } from '../support/handlers';
import { useTestStores } from '../support/stores';

const TEN_MINUTES_S = 600;
/** Each test waits for DynamoDB Local's stream on a shared machine: room beyond its windows. */
const TEST_TIMEOUT_MS = 120_000;

describe('the local stream poller’s batching window', () => {
  let stores: Awaited<ReturnType<typeof useTestStores>>;
  let dynamo: DynamoDBDocumentClient;
  let poller: StreamPoller | undefined;
  let batches: Array<{ at: number; records: DynamoDBRecord[] }> = [];

  beforeAll(async () => {
    stores = await useTestStores('local-stream-batching');
    dynamo = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: stores.dynamoEndpoint, ...sdkLocal() }),
    );
  });
  afterEach(async () => {
    await poller?.stop();
    poller = undefined;
  });
  afterAll(() => dynamo.destroy());

  /**
   * Each test's poller resumes where the previous one stopped (one checkpoint store for all), so
   * it reads only the clicks its own test writes.
   */
  const checkpoints = new Map<string, string>();
  const checkpointStore: CheckpointStore = {
    get: async (shard) => checkpoints.get(shard),
    put: async (shard, sequenceNumber) => {
      checkpoints.set(shard, sequenceNumber);
    },
  };
  function poll(spec: Partial<StreamSpec>) {
    batches = [];
    poller = startStreamPoller({
      endpoint: stores.dynamoEndpoint,
      tableName: stores.tables.clicks,
      spec: { ...streams.clicks, localPollIntervalMs: 50, ...spec },
      checkpoints: checkpointStore,
      handler: async () => async (event) => {
        batches.push({ at: Date.now(), records: event.Records });
        return { batchItemFailures: [] };
      },
    });
  }
  const writeClick = (clickId: string) =>
    dynamo.send(
      new PutCommand({
        TableName: stores.tables.clicks,
        Item: { clickId, code: 'batching', occurredAt: new Date().toISOString() },
      }),
    );
  const clickIds = () => batches.map((b) => b.records.map((r) => r.dynamodb?.Keys?.clickId?.S));
  test(
    'records written one after another within the window reach the consumer as one batch',
    async () => {
      // The window is generous, so the writes fall inside it however slow the machine is.
      poll({ maxBatchingWindowSeconds: 10 });
      for (let i = 1; i <= 5; i++) await writeClick(`burst-${i}`);
      await waitFor(
        async () => batches,
        (b) => b.length > 0,
        60_000,
      );
      expect(clickIds()).toEqual([['burst-1', 'burst-2', 'burst-3', 'burst-4', 'burst-5']]);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'a full batch goes at once, without waiting for the window',
    async () => {
      // A window of ten minutes: only a full batch can be handed over within this test.
      poll({ maxBatchingWindowSeconds: TEN_MINUTES_S, batchSize: 3 });
      for (const id of ['full-1', 'full-2', 'full-3']) await writeClick(id);
      await waitFor(
        async () => batches,
        (b) => b.length > 0,
        60_000,
      );
      expect(clickIds()).toEqual([['full-1', 'full-2', 'full-3']]);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'a lone record is handed over once the window has passed since it was read',
    async () => {
      const windowSeconds = 1;
      poll({ maxBatchingWindowSeconds: windowSeconds });
      await writeClick('lone');
      const written = Date.now();
      await waitFor(
        async () => batches,
        (b) => b.length > 0,
        60_000,
      );
      expect(clickIds()).toEqual([['lone']]);
      // It was read after it was written, and held for the window from that read.
      expect((batches[0]?.at ?? 0) - written).toBeGreaterThanOrEqual(windowSeconds * 1000);
    },
    TEST_TIMEOUT_MS,
  );
});
