/**
 * The deployed artifact, run: each function's bundle (test/bundles/build.ts) is loaded by a plain
 * `node` child of the Node.js major Lambda runs, and one scenario — operator sets up a merchant,
 * influencer and link, a shopper follows it, the shop sends a signed order, the attribution worker
 * takes it off the queue, the operator reads the order — runs twice on the same stores: once
 * through the TypeScript sources in this worker, once through the bundles, each on its own tables
 * and queues. Answers and stored items must be the same, up to ids, times and random secrets.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, Context, SQSEvent } from 'aws-lambda';
import { NODE_MAJOR } from '../../lib/constructs/function-with-log-group';
import { provisionLocal, sdkLocal, storesEnv } from '../../lib/local/stores';
import { type FunctionKey, tables } from '../../lib/wiring';
import { context, httpEvent, redirectEvent } from '../support/events';
import type { HttpResult } from '../support/handlers';
import { sqsRecord } from '../support/sqs-records';
import { useTestStores } from '../support/stores';
import { webhookEvent } from '../support/webhooks';

jest.setTimeout(60_000);

type Invoke = (key: FunctionKey, event: unknown) => Promise<unknown>;
type Stores = { tables: Record<string, string>; queues: Record<string, { url: string }> };

const bundles = JSON.parse(process.env.TEST_BUNDLES ?? '{}') as Record<FunctionKey, string>;
const dynamoEndpoint = () => process.env.TEST_DYNAMO_ENDPOINT ?? '';
const sqsEndpoint = () => process.env.TEST_SQS_ENDPOINT ?? '';

let host: ChildProcess;
let hostVersion: string;
let viaBundles: Invoke;
let viaSources: Invoke;
let sourceStores: Stores;
let bundleStores: Stores;
let sqs: SQSClient;
let doc: DynamoDBDocumentClient;

/** Starts the bundle host with `env` as the functions' configuration; resolves once it is ready. */
function startHost(env: Record<string, string>): Promise<{ child: ChildProcess; version: string }> {
  // process.execPath: the Node.js this test runs on, which the unit layer checks is NODE_MAJOR's.
  const child = fork(resolve(__dirname, 'bundle-host.js'), [], {
    env,
    execPath: process.execPath,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((done, fail) => {
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`the bundle host exited with ${code}`)));
    child.once('message', (m: { version: string }) => done({ child, version: m.version }));
  });
}

function hostInvoke(child: ChildProcess): Invoke {
  let seq = 0;
  return (key, event) => {
    const id = ++seq;
    const { getRemainingTimeInMillis, done, fail, succeed, ...plainContext } = context(key);
    return new Promise((ok, failed) => {
      const onMessage = (m: { id: number; result?: unknown; error?: string }) => {
        if (m.id !== id) return;
        child.off('message', onMessage);
        if (m.error) failed(new Error(`${key} bundle: ${m.error}`));
        else ok(m.result);
      };
      child.on('message', onMessage);
      child.send({ id, bundle: bundles[key], event, context: plainContext });
    });
  };
}

/** Loads a bundle in the host without invoking it; resolves with the type of its `handler` export. */
function hostLoad(child: ChildProcess) {
  return (bundle: string) =>
    new Promise<unknown>((ok) => {
      const id = `load:${bundle}`;
      const onMessage = (m: { id: string; result?: unknown; error?: string }) => {
        if (m.id !== id) return;
        child.off('message', onMessage);
        ok(m.error ?? m.result);
      };
      child.on('message', onMessage);
      child.send({ id, bundle, load: true });
    });
}

beforeAll(async () => {
  const shared = { POWERTOOLS_LOG_LEVEL: 'ERROR', LINK_CACHE_TTL_MS: '0' };
  // The sources run in this worker on the environment useTestStores exports; the bundles get the
  // same configuration (keys included) with their own tables and queues.
  sourceStores = await useTestStores('bundles-src', shared);
  const provisioned = await provisionLocal(
    { dynamoEndpoint: dynamoEndpoint(), sqsEndpoint: sqsEndpoint() },
    `bundles-dist-${Date.now().toString(36)}`,
  );
  bundleStores = provisioned;
  const env = {
    ...(process.env as Record<string, string>),
    ...storesEnv({ dynamoEndpoint: dynamoEndpoint(), sqsEndpoint: sqsEndpoint() }, provisioned),
  };
  ({ child: host, version: hostVersion } = await startHost(env));
  viaBundles = hostInvoke(host);
  const sources: Partial<Record<FunctionKey, (e: unknown, c: Context) => Promise<unknown>>> = {
    admin: (await import('../../functions/admin/handler')).handler as never,
    redirect: (await import('../../functions/redirect/handler')).handler as never,
    ingest: (await import('../../functions/ingest/handler')).handler as never,
    attribution: (await import('../../functions/attribution/handler')).handler as never,
  };
  viaSources = async (key, event) => {
    const handler = sources[key];
    if (!handler) throw new Error(`no source handler loaded for ${key}`);
    return handler(event, context(key));
  };
  sqs = new SQSClient({ endpoint: sqsEndpoint(), useQueueUrlAsEndpoint: false, ...sdkLocal() });
  doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamoEndpoint(), ...sdkLocal() }));
});

afterAll(async () => {
  host?.kill();
  sqs?.destroy();
  doc?.destroy();
});

/** The scenario, on the functions behind `invoke` and the queues of `stores`. */
async function scenario(invoke: Invoke, stores: Stores) {
  const http = async (key: FunctionKey, event: APIGatewayProxyEventV2) => {
    const res = (await invoke(key, event)) as HttpResult;
    return { ...res, body: res.body?.startsWith('{') ? JSON.parse(res.body) : res.body };
  };
  const admin = (method: string, route: string, body?: unknown, pathParameters?: Record<string, string>) =>
    http('admin', httpEvent({ method, route, body, pathParameters, admin: true }));
  const answers: unknown[] = [];
  const merchant = await admin('POST', '/admin/merchants', {
    merchantId: 'shop-b',
    name: 'Shop',
    allowedDomains: ['shop.example.com'],
    currency: 'EUR',
    clickIdParam: 'ref_click',
    commission: { defaultBps: 500, categoryBps: { beauty: 1500 } },
  });
  answers.push(merchant);
  answers.push(
    await admin('POST', '/admin/influencers', { influencerId: 'inf-b', handle: 'inf-b', name: 'B' }),
  );
  answers.push(
    await admin('POST', '/admin/links', {
      code: 'b-1',
      influencerId: 'inf-b',
      merchantId: 'shop-b',
      targetUrl: 'https://shop.example.com/p/1?color=red',
    }),
  );
  answers.push(await admin('GET', '/admin/links/{code}', undefined, { code: 'b-1' }));
  answers.push(await http('redirect', redirectEvent('nope', 'visitor-bundles-0000001')));
  const followed = await http('redirect', redirectEvent('b-1', 'visitor-bundles-0000001'));
  answers.push(followed);
  const location = followed.headers?.location ?? followed.headers?.Location ?? '';
  const clickId = new URL(location).searchParams.get('ref_click') ?? '';
  const secret = (merchant.body as { webhookSecret: string }).webhookSecret;
  const order = {
    type: 'order.created',
    orderId: 'order-b-1',
    occurredAt: new Date(Date.now() + 1000).toISOString(),
    currency: 'EUR',
    clickId,
    lines: [
      { sku: 'SKU-1', category: 'beauty', quantity: 2, unitPriceMinor: 2500 },
      { sku: 'SKU-2', quantity: 1, unitPriceMinor: 999 },
    ],
  };
  answers.push(await http('ingest', webhookEvent('shop-b', secret, order)));
  answers.push(await http('ingest', webhookEvent('shop-b', 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', order)));
  // The worker gets the accepted webhook as Lambda's SQS trigger would hand it over.
  const received = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: stores.queues.orders?.url,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
    }),
  );
  const messages = received.Messages ?? [];
  answers.push(messages.length);
  const event: SQSEvent = { Records: messages.map((m) => sqsRecord(m.MessageId ?? '', m.Body ?? '')) };
  answers.push(await invoke('attribution', event));
  for (const m of messages)
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: stores.queues.orders?.url, ReceiptHandle: m.ReceiptHandle }),
    );
  answers.push(
    await admin('GET', '/admin/orders/{merchantId}/{orderId}', undefined, {
      merchantId: 'shop-b',
      orderId: 'order-b-1',
    }),
  );
  const items: Record<string, unknown[]> = {};
  for (const key of Object.keys(tables)) {
    const name = stores.tables[key];
    const scanned = await doc.send(new ScanCommand({ TableName: name }));
    items[key] = (scanned.Items ?? []).map((item) => sortKeys(item)).sort(byJson);
  }
  // As over IPC: properties whose value is undefined are dropped.
  return normalise(JSON.parse(JSON.stringify({ answers, items })));
}

const sortKeys = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(sortKeys)
    : value && typeof value === 'object'
      ? Object.fromEntries(
          Object.entries(value as Record<string, unknown>)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, v]) => [k, sortKeys(v)]),
        )
      : value;
const byJson = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b));

/** What differs between two runs of the same scenario by design: ids, clocks, random secrets. */
function normalise(value: unknown, key = ''): unknown {
  if (key === 'sealed' || key === 'secretId') return '<random>';
  if (key === 'clickAgeMs') return '<elapsed>';
  if (typeof value === 'number') return value > 1e12 ? '<epoch ms>' : value > 1e9 ? '<epoch s>' : value;
  if (typeof value === 'string')
    return value
      .replace(/whsec_[A-Za-z0-9+/=]+/g, '<webhook secret>')
      .replace(/msg_[0-9a-f-]{36}/g, '<webhook id>')
      .replace(/[0-9A-HJKMNP-TV-Z]{26}/g, '<ulid>')
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
      .replace(/\b1\d{12}\b/g, '<epoch ms>')
      .replace(/\b1\d{9}\b/g, '<epoch s>')
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>');
  if (Array.isArray(value)) return value.map((v) => normalise(v));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v, k)]));
  return value;
}

describe('the deployed bundles', () => {
  it(`run on Node.js ${NODE_MAJOR}`, () => {
    expect(hostVersion.startsWith(`v${NODE_MAJOR}.`)).toBe(true);
  });

  it('every function bundle loads and exports its handler', async () => {
    const loaded = hostLoad(host);
    for (const [key, bundle] of Object.entries(bundles))
      expect([key, await loaded(bundle)]).toEqual([key, 'function']);
  });

  it('answer and store what the sources answer and store', async () => {
    const fromSources = await scenario(viaSources, sourceStores);
    const fromBundles = await scenario(viaBundles, bundleStores);
    expect(fromBundles).toEqual(fromSources);
    // The scenario did what it says: the order was credited to the click (not just equally failed).
    const answers = (fromSources as { answers: Array<{ statusCode?: number; body?: { status?: string } }> })
      .answers;
    expect(answers.map((a) => a.statusCode ?? a)).toEqual([
      201,
      201,
      201,
      200,
      404,
      302,
      202,
      401,
      1,
      { batchItemFailures: [] },
      200,
    ]);
    expect(answers[10]?.body?.status).toBe('credited');
  });
});
