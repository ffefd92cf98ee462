/**
 * The local pollers sleep while idle and are woken by what the system does: a queue poller by the
 * emulator's own sends, delays, visibility changes and failed batches, a stream poller by this
 * process's writes to DynamoDB Local. Each poller here is given an idle pause of ten minutes, so a
 * message or record that arrives after its first empty read is handled only if it was woken.
 */
import { spawnSync } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { sdkLocal } from '../../lib/local/stores';
import { type StreamPoller, startStreamPoller } from '../../lib/local/streams';
import { streams } from '../../lib/wiring';
import { waitFor } from '../support/handlers';
import { useTestStores } from '../support/stores';

const TEN_MINUTES_MS = 600_000;

/** Counts the requests with `target` that this process sends, from now until the returned stop. */
function countRequests(target: string) {
  const seen = { count: 0 };
  const listener = (message: unknown) => {
    if ((message as { request: ClientRequest }).request.getHeader('x-amz-target') === target) seen.count++;
  };
  subscribe('http.client.request.start', listener);
  return { seen, stop: () => unsubscribe('http.client.request.start', listener) };
}

test('an idle queue poller is woken by a send, a delay that ends and a failed batch coming back', () => {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', resolve(__dirname, '../support/queue-wakes-child.ts')],
    {
      cwd: resolve(__dirname, '../..'),
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  expect({ status: child.status, stderr: child.status === 0 ? '' : child.stderr }).toEqual({
    status: 0,
    stderr: '',
  });
  expect(JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}')).toEqual({
    sent: ['now'],
    delayed: ['later'],
    'failed once': ['again'],
  });
});

describe('stream pollers woken by this process’s writes', () => {
  let stores: Awaited<ReturnType<typeof useTestStores>>;
  let poller: StreamPoller | undefined;
  let dynamo: DynamoDBDocumentClient;
  const records: DynamoDBRecord[] = [];

  beforeAll(async () => {
    stores = await useTestStores('local-wakes');
    dynamo = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: stores.dynamoEndpoint, ...sdkLocal() }),
    );
  });
  afterAll(async () => {
    await poller?.stop();
    dynamo.destroy();
  });

  test('a click written while the clicks stream poller sleeps is handed over', async () => {
    const reads = countRequests('DynamoDBStreams_20120810.GetRecords');
    poller = startStreamPoller({
      endpoint: stores.dynamoEndpoint,
      tableName: stores.tables.clicks,
      // Ten minutes after every read, records or none: only a wake brings the next one sooner.
      spec: { ...streams.clicks, localPollIntervalMs: TEN_MINUTES_MS },
      handler: async () => async (event) => {
        records.push(...event.Records);
        return { batchItemFailures: [] };
      },
      idlePauseMaxMs: TEN_MINUTES_MS,
    });
    // Its first read found nothing: it now pauses for ten minutes.
    await waitFor(
      async () => reads.seen.count,
      (n) => n >= 1,
    );
    reads.stop();
    await dynamo.send(
      new PutCommand({
        TableName: stores.tables.clicks,
        Item: { clickId: 'wakes-click-1', code: 'wakes', occurredAt: new Date().toISOString() },
      }),
    );
    const handed = await waitFor(
      async () => records,
      (r) => r.length > 0,
    );
    expect(handed.map((r) => r.dynamodb?.Keys?.clickId?.S)).toEqual(['wakes-click-1']);
  });
});
