/**
 * Child of bench/reports.ts: the aggregator's exported handler, called directly with synthetic
 * `DynamoDBStreamEvent` batches of click records, one batch after the other as Lambda delivers a
 * shard, against the DynamoDB Local of the `npm start` under test. It measures the handler alone
 * (marker read, one transaction per batch, sketch compaction), without the stream poller or the
 * writes that feed it. Configured by environment; reports its figures over IPC and exits.
 *
 * A child process of its own because handlers build their SDK client once per process from the
 * environment (functions/common/clients/aws.ts): importing one into the bench process would tie it
 * to this DynamoDB Local for the modules that run after.
 */
// First: the handler it imports loads @middy/core, which publishes an `import` condition only.
import '../lib/local/esm-only-packages';
import { randomBytes } from 'node:crypto';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { lambdaContext } from '../lib/local/api-gateway-event';
import { localTableNames } from '../lib/local/provision';
import { LOCAL_AWS_ENV } from '../lib/local/stores';
import { tables } from '../lib/wiring';

type StreamLambda = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`aggregator bench: ${name} is not set`);
  return value;
}

async function main() {
  const endpoint = required('BENCH_DYNAMO_ENDPOINT');
  const clicks = Number(required('BENCH_CLICKS'));
  const batchSize = Number(required('BENCH_BATCH_SIZE'));
  const names = localTableNames(required('BENCH_TABLE_PREFIX'));
  Object.assign(process.env, LOCAL_AWS_ENV, {
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    ...Object.fromEntries(
      Object.entries(tables).map(([key, spec]) => [spec.envVar, names[key as keyof typeof names]]),
    ),
  });
  const { handler } = (await import('../functions/aggregator/handler')) as unknown as {
    handler: StreamLambda;
  };

  const arn = `arn:aws:dynamodb:ddblocal:000000000000:table/${names.clicks}/stream/bench`;
  const run = randomBytes(4).toString('hex');
  const occurredAt = new Date().toISOString();
  const record = (i: number): DynamoDBRecord => {
    const id = String(i).padStart(21, '0');
    return {
      eventID: `bench-${run}-${id}`,
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'ddblocal',
      eventSourceARN: arn,
      dynamodb: {
        Keys: { clickId: { S: `AGG${run}${id}` } },
        NewImage: {
          clickId: { S: `AGG${run}${id}` },
          code: { S: 'bench-agg-1' },
          influencerId: { S: 'bench-agg' },
          merchantId: { S: 'bench-shop' },
          visitorId: { S: `agg_visitor_${run}_${i}` },
          occurredAt: { S: occurredAt },
          device: { S: 'desktop' },
          ipHash: { S: 'bench' },
          bot: { BOOL: false },
        },
        SequenceNumber: id,
        SizeBytes: 250,
        StreamViewType: 'NEW_IMAGE',
      },
    };
  };

  const batchMs: number[] = [];
  const started = process.hrtime.bigint();
  for (let from = 0; from < clicks; from += batchSize) {
    const records = Array.from({ length: Math.min(batchSize, clicks - from) }, (_, k) => record(from + k));
    const t0 = process.hrtime.bigint();
    const response = await handler({ Records: records }, lambdaContext('aggregator', 60));
    batchMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (response.batchItemFailures.length > 0) throw new Error(`A batch failed: ${JSON.stringify(response)}`);
  }
  const totalMs = Number(process.hrtime.bigint() - started) / 1e6;
  return { clicks, totalMs, batchMs };
}

main().then(
  // Exit once the message is handed over: the IPC channel would keep the process alive.
  (result) => (process.send ? process.send(result, () => process.exit(0)) : process.exit(0)),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
