/**
 * The measured figures behind docs/cost.md: for the redirect, ingest, attribution and aggregator
 * functions, each alone in a fresh Node.js process running its handler bundled as CDK bundles it
 * (bench/lib/cost-driver.ts), against DynamoDB Local (in memory) and the SQS emulator:
 * - wall and CPU time per invocation (medians; this machine is shared, so they are noisy),
 * - peak resident memory of the process,
 * - DynamoDB capacity units per invocation, as DynamoDB Local reports them (ReturnConsumedCapacity),
 * - bytes written to stdout/stderr per invocation (what CloudWatch Logs would ingest),
 * and the DynamoDB size of a stored click item and of its byVisitor index entry (bench/lib/item-size.ts).
 *
 * Usage: `npx tsx bench/cost-measure.ts` (about a minute); prints a Markdown report.
 */
import '../lib/local/esm-only-packages';
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DescribeTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, DynamoDBStreamEvent, SQSEvent } from 'aws-lambda';
import { build } from 'esbuild';
import { lambdaContext } from '../lib/local/api-gateway-event';
import { localBucketEnv, localKeysEnv } from '../lib/local/runtime';
import { provisionLocal, sdkLocal, startLocalStores, storesEnv } from '../lib/local/stores';
import { toLambdaRecord } from '../lib/local/streams';
import { type FunctionKey, functions, queues, streams } from '../lib/wiring';
import { BROWSER_USER_AGENT } from './lib/catalog';
import type { DriverInput, DriverOutput } from './lib/cost-driver';
import { indexEntrySize, itemSize } from './lib/item-size';

const repoRoot = resolve(__dirname, '..');
const ADMIN_TOKEN = randomBytes(16).toString('hex');
const VISITORS = 50;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function httpEvent(input: {
  method: string;
  path: string;
  routeKey: string;
  pathParameters?: Record<string, string>;
  headers?: Record<string, string>;
  cookies?: string[];
  body?: string;
  sourceIp?: string;
}): APIGatewayProxyEventV2 {
  const now = new Date();
  const headers: Record<string, string> = { host: 'go.example.com', ...input.headers };
  return {
    version: '2.0',
    routeKey: input.routeKey,
    rawPath: input.path,
    rawQueryString: '',
    ...(input.cookies ? { cookies: input.cookies } : {}),
    headers,
    ...(input.pathParameters ? { pathParameters: input.pathParameters } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'go.example.com',
      domainPrefix: 'go',
      http: {
        method: input.method,
        path: input.path,
        protocol: 'HTTP/1.1',
        sourceIp: input.sourceIp ?? '203.0.113.7',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomBytes(8).toString('hex'),
      routeKey: input.routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(input.body !== undefined ? { body: input.body } : {}),
    isBase64Encoded: false,
  };
}

/** Seeds the catalog through the admin handler itself, as an operator would. Returns the webhook secret. */
async function seed(): Promise<string> {
  const { handler } = (await import('../functions/admin/handler')) as {
    handler: (e: APIGatewayProxyEventV2, c: unknown) => Promise<{ statusCode: number; body?: string }>;
  };
  const post = async (path: string, body: unknown) => {
    const res = await handler(
      httpEvent({
        method: 'POST',
        path,
        routeKey: `POST ${path}`,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
      lambdaContext('admin', 29),
    );
    if (res.statusCode !== 201) throw new Error(`POST ${path} answered ${res.statusCode}: ${res.body}`);
    return JSON.parse(res.body ?? '{}') as Record<string, unknown>;
  };
  const merchant = await post('/admin/merchants', {
    merchantId: 'cost-shop',
    name: 'Cost Shop',
    allowedDomains: ['shop.example.com'],
    currency: 'USD',
    commission: { defaultBps: 1000 },
  });
  await post('/admin/influencers', { influencerId: 'cost-inf', handle: 'cost_inf', name: 'Cost' });
  await post('/admin/links', {
    code: 'cost-1',
    influencerId: 'cost-inf',
    merchantId: 'cost-shop',
    targetUrl: 'https://shop.example.com/products/42?ref=cost',
    campaign: 'spring',
  });
  return String(merchant.webhookSecret);
}

async function runDriver(
  fn: FunctionKey,
  events: unknown[],
  warmup: number,
  workDir: string,
  env: Record<string, string>,
): Promise<DriverOutput> {
  const bundle = join(workDir, `${fn}-${events.length}.js`);
  const entry = resolve(repoRoot, functions[fn].entry);
  await build({
    stdin: {
      // The clock starts before the handler's modules load: that span is the function's init.
      contents: `const started = require('node:perf_hooks').performance.now();
        const { handler } = require(${JSON.stringify(entry)});
        require(${JSON.stringify(resolve(__dirname, 'lib/cost-driver.ts'))}).drive(handler, started);`,
      resolveDir: repoRoot,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    sourcemap: 'inline',
    outfile: bundle,
    logLevel: 'error',
  });
  const input: DriverInput = { fn, timeoutSeconds: functions[fn].timeoutSeconds, warmup, events };
  const inputFile = join(workDir, `${fn}-input.json`);
  const outputFile = join(workDir, `${fn}-output.json`);
  writeFileSync(inputFile, JSON.stringify(input));
  // Not spawnSync: the SQS emulator runs in this process and must keep answering the child.
  const child = spawn(process.execPath, [bundle], {
    env: { ...process.env, ...env, COST_DRIVER_INPUT: inputFile, COST_DRIVER_OUTPUT: outputFile },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const code = await new Promise<number | null>((done) => child.on('close', done));
  if (code !== 0) throw new Error(`${fn} driver exited with ${code}: ${stderr.slice(-1500)}`);
  return JSON.parse(readFileSync(outputFile, 'utf8')) as DriverOutput;
}

function signedWebhook(secret: string, merchantId: string, orderId: string, clickId: string) {
  const body = JSON.stringify({
    type: 'order.created',
    orderId,
    occurredAt: new Date().toISOString(),
    currency: 'USD',
    clickId,
    lines: [
      { sku: 'sku-42', category: 'shoes', quantity: 1, unitPriceMinor: 8_900 },
      { sku: 'sku-7', quantity: 2, unitPriceMinor: 1_250 },
    ],
  });
  const id = `msg_${orderId}`;
  const timestamp = String(Math.floor(Date.now() / 1000));
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return httpEvent({
    method: 'POST',
    path: `/webhooks/${merchantId}/orders`,
    routeKey: 'POST /webhooks/{merchantId}/orders',
    pathParameters: { merchantId },
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': timestamp,
      'webhook-signature': `v1,${signature}`,
    },
    body,
  });
}

interface Row {
  fn: FunctionKey;
  what: string;
  perInvocation: number;
  out: DriverOutput;
}

function report(rows: Row[], sizes: Record<string, number>): string {
  const lines = [
    '| Function | Run | Invocations | Wall ms p50 | CPU ms p50 | Peak RSS MiB | Init ms | Log bytes per invocation |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const { fn, what, out } of rows) {
    lines.push(
      `| ${fn} | ${what} | ${out.wallMs.length} | ${median(out.wallMs).toFixed(2)} | ${median(out.cpuMs).toFixed(2)} | ${out.maxRssMiB.toFixed(1)} | ${out.initMs.toFixed(0)} | ${(out.logBytes / out.wallMs.length).toFixed(0)} |`,
    );
  }
  lines.push(
    '',
    '| Function | Run | Operation and table (or /index) | Calls per unit | Capacity units per unit |',
  );
  lines.push('| --- | --- | --- | --- | --- |');
  for (const { fn, what, perInvocation, out } of rows) {
    const n = out.wallMs.length * perInvocation;
    for (const c of out.capacity)
      lines.push(
        `| ${fn} | ${what} | ${c.key} | ${(c.calls / n).toFixed(3)} | ${(c.units / n).toFixed(3)} |`,
      );
  }
  lines.push('', '| Item | Bytes (DynamoDB size rules) |', '| --- | --- |');
  for (const [name, bytes] of Object.entries(sizes)) lines.push(`| ${name} | ${bytes} |`);
  lines.push('', 'Log samples:');
  for (const { fn, out } of rows)
    for (const line of out.logSample.slice(0, 2)) lines.push(`- ${fn}: \`${line.trim().slice(0, 400)}\``);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const workDir = mkdtempSync(join(tmpdir(), 'creditlink-cost-'));
  const dataDir = join(workDir, 'data');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const stores = await startLocalStores({});
  try {
    const provisioned = await provisionLocal(stores, 'creditlink');
    const env: Record<string, string> = {
      ...storesEnv(stores, provisioned),
      CREDITLINK_STAGE: 'local',
      PUBLIC_BASE_URL: 'http://127.0.0.1:3000',
      ADMIN_TOKEN,
      ...localKeysEnv(dataDir),
      ...localBucketEnv(dataDir),
    };
    Object.assign(process.env, env);
    const secret = await seed();
    const rows: Row[] = [];

    // Redirects of human shoppers, each with its visitor cookie (a returning visitor).
    const redirects = Array.from({ length: 420 }, (_, i) =>
      httpEvent({
        method: 'GET',
        path: '/cost-1',
        routeKey: 'GET /{code}',
        pathParameters: { code: 'cost-1' },
        headers: {
          'user-agent': BROWSER_USER_AGENT,
          referer: 'https://www.instagram.com/',
          accept: 'text/html',
        },
        cookies: [`vid=cost_visitor_${String(i % VISITORS).padStart(12, '0')}`],
        sourceIp: `198.51.100.${i % 250}`,
      }),
    );
    rows.push({
      fn: 'redirect',
      what: 'human click',
      perInvocation: 1,
      out: await runDriver('redirect', redirects, 20, workDir, env),
    });

    const dynamo = new DynamoDBClient({ endpoint: stores.dynamoEndpoint, ...sdkLocal() });
    const clicks = (await dynamo.send(new ScanCommand({ TableName: provisioned.tables.clicks }))).Items ?? [];
    const click = clicks[0];
    if (!click) throw new Error('The redirect wrote no click.');
    const sizes = {
      'click item (as stored by the redirect)': itemSize(click),
      'its byVisitor entry, projection ALL (table key + index key + every attribute)': indexEntrySize(
        click,
        'ALL',
      ),
      'its byVisitor entry, if KEYS_ONLY': indexEntrySize(click, 'KEYS_ONLY'),
    };

    // Order webhooks, each naming one of those clicks.
    const clickIds = clicks.map((c) => String(c.clickId?.S));
    const webhooks = Array.from({ length: 220 }, (_, i) =>
      signedWebhook(secret, 'cost-shop', `cost-order-${i}`, clickIds[i % clickIds.length] ?? ''),
    );
    rows.push({
      fn: 'ingest',
      what: 'webhook',
      perInvocation: 1,
      out: await runDriver('ingest', webhooks, 20, workDir, env),
    });

    // What the ingest queued, in the batches the event source mapping hands the attribution function.
    const sqs = new SQSClient({ endpoint: stores.sqsEndpoint, useQueueUrlAsEndpoint: false, ...sdkLocal() });
    const queue = provisioned.queues.orders;
    const sqsEvents: SQSEvent[] = [];
    for (;;) {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queue.url,
          MaxNumberOfMessages: queues.orders.batchSize,
          WaitTimeSeconds: 1,
        }),
      );
      const messages = out.Messages ?? [];
      if (messages.length === 0) break;
      sqsEvents.push({
        Records: messages.map((m) => ({
          messageId: m.MessageId ?? '',
          receiptHandle: m.ReceiptHandle ?? '',
          body: m.Body ?? '',
          attributes: {
            ApproximateReceiveCount: '1',
            SentTimestamp: String(Date.now()),
            SenderId: 'local',
            ApproximateFirstReceiveTimestamp: String(Date.now()),
          },
          messageAttributes: {},
          md5OfBody: m.MD5OfBody ?? '',
          eventSource: 'aws:sqs',
          eventSourceARN: queue.arn,
          awsRegion: 'us-east-1',
        })),
      });
    }
    sqs.destroy();
    const queued = sqsEvents.reduce((n, e) => n + e.Records.length, 0);
    const measuredOrders = sqsEvents.slice(2).reduce((n, e) => n + e.Records.length, 0);
    const attribution = await runDriver('attribution', sqsEvents, 2, workDir, env);
    rows.push({
      fn: 'attribution',
      what: `batch of ${queues.orders.batchSize} orders (per order below)`,
      perInvocation: measuredOrders / (sqsEvents.length - 2),
      out: attribution,
    });
    if (queued < 200) throw new Error(`only ${queued} orders were queued`);

    // The clicks stream as the event source mapping reads it: full batches (one link, 50 visitors),
    // then batches of one record, as at low traffic when the 1 s batching window closes on one click.
    const streamsClient = new DynamoDBStreamsClient({ endpoint: stores.dynamoEndpoint, ...sdkLocal() });
    const table = await dynamo.send(new DescribeTableCommand({ TableName: provisioned.tables.clicks }));
    const streamArn = String(table.Table?.LatestStreamArn);
    const shards =
      (await streamsClient.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription
        ?.Shards ?? [];
    const records = [];
    for (const shard of shards) {
      let iterator = (
        await streamsClient.send(
          new GetShardIteratorCommand({
            StreamArn: streamArn,
            ShardId: shard.ShardId,
            ShardIteratorType: 'TRIM_HORIZON',
          }),
        )
      ).ShardIterator;
      for (let empty = 0; iterator && empty < 2; ) {
        const out = await streamsClient.send(new GetRecordsCommand({ ShardIterator: iterator }));
        if ((out.Records ?? []).length === 0) empty++;
        records.push(...(out.Records ?? []).map((r) => toLambdaRecord(r, streamArn)));
        iterator = out.NextShardIterator;
      }
    }
    streamsClient.destroy();
    dynamo.destroy();
    const batch = streams.clicks.batchSize;
    const full: DynamoDBStreamEvent[] = [];
    for (let i = 0; i + batch <= 300; i += batch) full.push({ Records: records.slice(i, i + batch) });
    const single: DynamoDBStreamEvent[] = records.slice(300, 340).map((r) => ({ Records: [r] }));
    rows.push({
      fn: 'aggregator',
      what: `batches of ${batch} clicks (per click below)`,
      perInvocation: batch,
      out: await runDriver('aggregator', full, 1, workDir, env),
    });
    rows.push({
      fn: 'aggregator',
      what: 'batches of 1 click',
      perInvocation: 1,
      out: await runDriver('aggregator', single, 2, workDir, env),
    });

    // What the aggregator left: counter items (with their visitor sketches) and chunk markers.
    const counterScan = new DynamoDBClient({ endpoint: stores.dynamoEndpoint, ...sdkLocal() });
    const counterItems =
      (await counterScan.send(new ScanCommand({ TableName: provisioned.tables.counters }))).Items ?? [];
    counterScan.destroy();
    const bySort = (a: number, b: number) => b - a;
    const counterSizes = counterItems
      .filter((i) => !String(i.pk?.S).startsWith('APPLIED#'))
      .map(itemSize)
      .sort(bySort);
    const markerSizes = counterItems
      .filter((i) => String(i.pk?.S).startsWith('APPLIED#'))
      .map(itemSize)
      .sort(bySort);
    Object.assign(sizes, {
      [`counter items after the run (${counterSizes.length}), largest`]: counterSizes[0] ?? 0,
      'chunk marker of a batch of 100 records': markerSizes[0] ?? 0,
      'chunk marker of a batch of 1 record': markerSizes[markerSizes.length - 1] ?? 0,
    });

    console.log(report(rows, sizes));
  } finally {
    await stores.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
