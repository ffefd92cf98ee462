/**
 * End to end: the life of `npm start` itself (CONTRACT §2). SIGTERM and SIGINT stop every process it
 * started (exit 0, no DynamoDB Local left behind), and a restart on the same DATA_DIR finds what was
 * created before: merchants, influencers (with their coupon codes), links and clicks.
 */

import {
  createInfluencer,
  createLink,
  createMerchant,
  influencerInput,
  SHOP_DOMAIN,
} from '../support/e2e-fixtures';
import {
  AdminClient,
  BROWSER_UA,
  bodyOf,
  clickSchema,
  HttpClient,
  influencerSchema,
  linkSchema,
  merchantSchema,
  ULID,
} from '../support/e2e-http';
import {
  dynamoProcessesOf,
  type E2eRuntime,
  newDataDir,
  removeDataDir,
  startRuntime,
} from '../support/e2e-runtime';

const dataDir = newDataDir();
const adminToken = 'e2e-lifecycle-token';
const started: E2eRuntime[] = [];

async function start(): Promise<E2eRuntime> {
  const runtime = await startRuntime({ dataDir, adminToken });
  started.push(runtime);
  return runtime;
}

afterAll(async () => {
  // A test that failed half-way leaves its runtime running: stop every one (stop is idempotent).
  await Promise.all(started.map((runtime) => runtime.stop('SIGKILL')));
  removeDataDir(dataDir);
}, 30_000);

/** Waits (a bounded time) for the DynamoDB Local of our data directory to be gone. */
async function javaLeftFor(dir: string): Promise<string[]> {
  const deadline = Date.now() + 5_000;
  let left = dynamoProcessesOf(dir);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    left = dynamoProcessesOf(dir);
  }
  return left;
}

const before = {
  merchantId: 'mer-persisted',
  influencerId: 'inf-persisted',
  coupon: 'KEEPME10',
  code: 'kept-link',
  clickId: '',
  visitorId: '',
};

test('npm start serves, and SIGTERM stops it with exit code 0 and no DynamoDB Local left', async () => {
  const runtime = await start();
  expect(dynamoProcessesOf(dataDir)).toHaveLength(1);
  expect(runtime.output()).toContain(runtime.baseUrl);
  // A token set through ADMIN_TOKEN is the operator's: it is named, never printed.
  expect(runtime.output()).toContain('admin token:     set from ADMIN_TOKEN');
  expect(runtime.output()).not.toContain(adminToken);

  const admin = new AdminClient(runtime.baseUrl, adminToken);
  await createMerchant(admin, { merchantId: before.merchantId, clickIdParam: 'cid' });
  await createInfluencer(admin, { influencerId: before.influencerId, couponCodes: [before.coupon] });
  await createLink(admin, {
    code: before.code,
    influencerId: before.influencerId,
    merchantId: before.merchantId,
    targetUrl: `https://${SHOP_DOMAIN}/kept?x=1`,
  });
  const shopper = new HttpClient(runtime.baseUrl, { 'user-agent': BROWSER_UA });
  const res = await shopper.get(`/${before.code}`);
  expect(res.status).toBe(302);
  before.clickId = res.location?.searchParams.get('cid') ?? '';
  expect(before.clickId).toMatch(ULID);
  before.visitorId = shopper.cookie('vid') ?? '';

  const exit = await runtime.stop('SIGTERM');
  expect({ exit, javaLeft: await javaLeftFor(dataDir) }).toEqual({
    exit: { code: 0, signal: null, killed: false },
    javaLeft: [],
  });
  await expect(fetch(`${runtime.baseUrl}/healthz`)).rejects.toThrow();
}, 90_000);

test('a restart on the same DATA_DIR finds the merchant, influencer, link and click', async () => {
  const runtime = await start();
  const admin = new AdminClient(runtime.baseUrl, adminToken);

  const merchant = await admin.get(`/admin/merchants/${before.merchantId}`);
  expect(merchant.status).toBe(200);
  expect(bodyOf(merchant, merchantSchema)).toMatchObject({
    merchantId: before.merchantId,
    clickIdParam: 'cid',
  });

  const influencer = await admin.get(`/admin/influencers/${before.influencerId}`);
  expect(influencer.status).toBe(200);
  expect(bodyOf(influencer, influencerSchema).couponCodes).toEqual([before.coupon]);
  // The coupon code is still taken (case-insensitively).
  const taken = await admin.post(
    '/admin/influencers',
    influencerInput({ couponCodes: [before.coupon.toLowerCase()] }),
  );
  expect(taken.status).toBe(409);

  const link = await admin.get(`/admin/links/${before.code}`);
  expect(link.status).toBe(200);
  expect(bodyOf(link, linkSchema)).toMatchObject({
    code: before.code,
    shortUrl: `${runtime.baseUrl}/${before.code}`,
  });
  // The code is still taken.
  const again = await admin.post('/admin/links', {
    code: before.code,
    influencerId: before.influencerId,
    merchantId: before.merchantId,
    targetUrl: `https://${SHOP_DOMAIN}/other`,
  });
  expect(again.status).toBe(409);

  const click = await admin.get(`/admin/clicks/${before.clickId}`);
  expect(click.status).toBe(200);
  expect(bodyOf(click, clickSchema)).toMatchObject({
    clickId: before.clickId,
    code: before.code,
    visitorId: before.visitorId,
  });

  // The link still redirects, and the visitor's cookie from before the restart is still theirs.
  const shopper = new HttpClient(runtime.baseUrl, { 'user-agent': BROWSER_UA });
  shopper.setCookie('vid', before.visitorId);
  const res = await shopper.get(`/${before.code}`);
  expect(res.status).toBe(302);
  expect(res.setCookies).toEqual([]);
  expect(res.location?.searchParams.get('x')).toBe('1');
  const clickId = res.location?.searchParams.get('cid') ?? '';
  expect(clickId).toMatch(ULID);
  const second = bodyOf(await admin.get(`/admin/clicks/${clickId}`), clickSchema);
  expect(second.visitorId).toBe(before.visitorId);
  // Same IP key after the restart: the IP hash is stable.
  expect(second.ipHash).toBe(bodyOf(click, clickSchema).ipHash);

  const exit = await runtime.stop('SIGINT');
  expect({ exit, javaLeft: await javaLeftFor(dataDir) }).toEqual({
    exit: { code: 0, signal: null, killed: false },
    javaLeft: [],
  });
}, 90_000);

// BUG (reported, fails until fixed): /healthz answers 200 while start-up is still running
// (lib/local/runtime.ts listens before `startWorkers`; bin/local.ts installs its signal handlers
// after `startLocalRuntime` resolves), so a SIGTERM sent as soon as the system is ready kills the
// process with the default action (no exit code 0, no orderly stop of the stores).
test('SIGTERM as soon as /healthz first answers 200 still stops it with exit code 0', async () => {
  const dir = newDataDir();
  try {
    const runtime = await startRuntime({ dataDir: dir, adminToken, readyOn: 'health' });
    started.push(runtime);
    const exit = await runtime.stop('SIGTERM');
    expect({ exit, javaLeft: await javaLeftFor(dir) }).toEqual({
      exit: { code: 0, signal: null, killed: false },
      javaLeft: [],
    });
  } finally {
    removeDataDir(dir);
  }
}, 90_000);

test('without ADMIN_TOKEN it prints the default local token, which then works', async () => {
  const dir = newDataDir();
  try {
    const runtime = await startRuntime({ dataDir: dir, env: { ADMIN_TOKEN: '' } });
    started.push(runtime);
    expect(runtime.output()).toContain('admin token:     local-admin-token');
    const res = await fetch(`${runtime.baseUrl}/admin/merchants/nobody`, {
      headers: { authorization: 'Bearer local-admin-token' },
    });
    expect(res.status).toBe(404);
    await runtime.stop('SIGTERM');
  } finally {
    removeDataDir(dir);
  }
}, 90_000);
