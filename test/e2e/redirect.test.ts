/**
 * End to end, over real HTTP against `npm start`: the public redirect `GET|HEAD /{code}`
 * (CONTRACT §3) and the click it records, read back through `GET /admin/clicks/{clickId}` and, where
 * the admin API has no route to prove a negative (no click written), straight from the clicks table
 * of the DynamoDB Local that `npm start` runs.
 */

import { createInfluencer, createLink, createMerchant, SHOP_DOMAIN } from '../support/e2e-fixtures';
import {
  AdminClient,
  BROWSER_UA,
  bodyOf,
  type ClickView,
  clickSchema,
  errorBodySchema,
  GOOGLEBOT_UA,
  HttpClient,
  type HttpResponse,
  IPHONE_UA,
  parseSetCookie,
  pollUntil,
  ULID,
  uniqueId,
} from '../support/e2e-http';
import { type E2eRuntime, removeDataDir, scanTable, startRuntime } from '../support/e2e-runtime';

let runtime: E2eRuntime;
let admin: AdminClient;
let influencerId: string;
let merchantId: string;
/** A merchant whose click id parameter is `ref_id`. */
let refMerchantId: string;
/** Webhook secrets shown at creation: they must never appear in a log line. */
const secrets: string[] = [];

const TARGET = `https://${SHOP_DOMAIN}/products/red-shoes?color=red&size=42#reviews`;

beforeAll(async () => {
  runtime = await startRuntime();
  admin = new AdminClient(runtime.baseUrl, runtime.adminToken);
  const merchant = await createMerchant(admin);
  const refMerchant = await createMerchant(admin, {
    clickIdParam: 'ref_id',
    allowedDomains: ['store.example.org'],
  });
  merchantId = merchant.merchantId;
  refMerchantId = refMerchant.merchantId;
  secrets.push(merchant.webhookSecret, refMerchant.webhookSecret);
  influencerId = (await createInfluencer(admin)).influencerId;
}, 90_000);

afterAll(async () => {
  if (!runtime) return;
  await runtime.stop();
  removeDataDir(runtime.dataDir);
}, 30_000);

/** A shopper's browser: a realistic user agent and its own cookie jar. */
const browser = (userAgent = BROWSER_UA) => new HttpClient(runtime.baseUrl, { 'user-agent': userAgent });

const newLink = async (targetUrl = TARGET, forMerchant = merchantId) =>
  createLink(admin, { code: uniqueId('go'), influencerId, merchantId: forMerchant, targetUrl });

async function readClick(clickId: string): Promise<ClickView & Record<string, unknown>> {
  const res = await admin.get(`/admin/clicks/${clickId}`);
  expect({ status: res.status, body: res.text }).toEqual({ status: 200, body: expect.any(String) });
  return bodyOf(res, clickSchema);
}

function expectRedirect(res: HttpResponse): URL {
  expect({ status: res.status, body: res.text }).toEqual({ status: 302, body: expect.any(String) });
  if (!res.location) throw new Error('302 without a Location header');
  return res.location;
}

function clickIdIn(location: URL, param = 'clk'): string {
  const values = location.searchParams.getAll(param);
  expect(values).toHaveLength(1);
  const [clickId = ''] = values;
  expect(clickId).toMatch(ULID);
  return clickId;
}

const vidCookies = (res: HttpResponse) => res.setCookies.map(parseSetCookie).filter((c) => c.name === 'vid');

/** The clicks of one link code, read straight from the clicks table. */
async function storedClicks(code: string) {
  return (await scanTable(runtime, 'click')).filter((item) => item.code === code);
}

describe('an active link', () => {
  test('302 to the target with a ULID clk, query and fragment kept, Cache-Control: no-store', async () => {
    const link = await newLink();
    const shopper = browser();
    const res = await shopper.get(`/${link.code}`);
    const location = expectRedirect(res);
    expect(`${location.origin}${location.pathname}`).toBe(`https://${SHOP_DOMAIN}/products/red-shoes`);
    expect(location.searchParams.get('color')).toBe('red');
    expect(location.searchParams.get('size')).toBe('42');
    expect(location.hash).toBe('#reviews');
    const clickId = clickIdIn(location);
    expect([...location.searchParams.keys()].sort()).toEqual(['clk', 'color', 'size']);
    expect(res.headers.get('cache-control') ?? '').toMatch(/(^|,\s*)no-store(\s*,|$)/);

    const click = await readClick(clickId);
    expect(click).toMatchObject({
      clickId,
      code: link.code,
      influencerId,
      merchantId,
      bot: false,
      duplicate: false,
    });
  });

  test('the first visit sets the vid cookie with the contract attributes', async () => {
    const link = await newLink();
    const res = await browser().get(`/${link.code}`);
    expectRedirect(res);
    const cookies = vidCookies(res);
    expect(cookies).toHaveLength(1);
    const [cookie] = cookies;
    if (!cookie) throw new Error('no vid cookie');
    // At least 128 random bits, URL-safe: 22 base64url characters or more.
    expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(cookie.attributes).toEqual({
      path: '/',
      'max-age': '31536000',
      httponly: '',
      secure: '',
      samesite: 'Lax',
    });
  });

  test('a valid vid cookie is reused: no new cookie, same visitor on the click', async () => {
    const link = await newLink();
    const other = await newLink();
    const shopper = browser();
    const first = await shopper.get(`/${link.code}`);
    const visitorId = shopper.cookie('vid');
    expect(visitorId).toBeDefined();
    const firstClick = await readClick(clickIdIn(expectRedirect(first)));
    expect(firstClick.visitorId).toBe(visitorId);

    const second = await shopper.get(`/${other.code}`);
    expect(vidCookies(second)).toEqual([]);
    const secondClick = await readClick(clickIdIn(expectRedirect(second)));
    expect(secondClick.visitorId).toBe(visitorId);
    expect(secondClick.code).toBe(other.code);
    // Another link of the same visitor is not a duplicate.
    expect(secondClick.duplicate).toBe(false);
  });

  test.each([
    ['too short', 'abc'],
    ['with forbidden characters', 'not a valid id!!!!!!!!!!!!!!!'],
    ['empty', ''],
    ['far too long', 'a'.repeat(300)],
  ])('an invalid vid cookie (%s) is replaced by a new visitor id', async (_label, bad) => {
    const link = await newLink();
    const shopper = browser();
    shopper.setCookie('vid', bad);
    const res = await shopper.get(`/${link.code}`);
    const cookies = vidCookies(res);
    expect(cookies).toHaveLength(1);
    const fresh = cookies[0]?.value ?? '';
    expect(fresh).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(fresh).not.toBe(bad);
    const click = await readClick(clickIdIn(expectRedirect(res)));
    expect(click.visitorId).toBe(fresh);
  });

  test('each click gets its own id; a new browser is a new visitor', async () => {
    const link = await newLink();
    const a = await browser().get(`/${link.code}`);
    const b = await browser().get(`/${link.code}`);
    const idA = clickIdIn(expectRedirect(a));
    const idB = clickIdIn(expectRedirect(b));
    expect(idA).not.toBe(idB);
    const [clickA, clickB] = [await readClick(idA), await readClick(idB)];
    expect(clickA.visitorId).not.toBe(clickB.visitorId);
    expect(clickB.duplicate).toBe(false);
  });

  test('the same visitor on the same link within 30 s: the second click is a duplicate', async () => {
    const link = await newLink();
    const shopper = browser();
    const first = clickIdIn(expectRedirect(await shopper.get(`/${link.code}`)));
    const second = clickIdIn(expectRedirect(await shopper.get(`/${link.code}`)));
    const third = clickIdIn(expectRedirect(await shopper.get(`/${link.code}?utm_source=again`)));
    expect((await readClick(first)).duplicate).toBe(false);
    expect((await readClick(second)).duplicate).toBe(true);
    expect((await readClick(third)).duplicate).toBe(true);
    // Another visitor on the same link right after is not a duplicate.
    const stranger = clickIdIn(expectRedirect(await browser().get(`/${link.code}`)));
    expect((await readClick(stranger)).duplicate).toBe(false);
  });

  test('utm_* parameters of the short link are forwarded, other parameters are not', async () => {
    const link = await newLink();
    const res = await browser().get(
      `/${link.code}?utm_source=instagram&utm_medium=story&utm_campaign=spring%20sale&ref=abc&color=blue&clk=FORGED&fbclid=xyz`,
    );
    const location = expectRedirect(res);
    expect(location.searchParams.get('utm_source')).toBe('instagram');
    expect(location.searchParams.get('utm_medium')).toBe('story');
    expect(location.searchParams.get('utm_campaign')).toBe('spring sale');
    expect(location.searchParams.has('ref')).toBe(false);
    expect(location.searchParams.has('fbclid')).toBe(false);
    // The target's own value wins over a non-utm parameter of the same name.
    expect(location.searchParams.getAll('color')).toEqual(['red']);
    // The click id is the one just issued, never one supplied by the caller.
    const clickId = clickIdIn(location);
    expect(clickId).not.toBe('FORGED');
    expect(location.hash).toBe('#reviews');
    expect((await readClick(clickId)).code).toBe(link.code);
  });

  test('a click id already in the target is replaced by the new one', async () => {
    const link = await newLink(`https://${SHOP_DOMAIN}/p?clk=stale&x=1`);
    const location = expectRedirect(await browser().get(`/${link.code}`));
    expect(clickIdIn(location)).not.toBe('stale');
    expect(location.searchParams.get('x')).toBe('1');
  });

  test("the merchant's clickIdParam names the click id parameter", async () => {
    const link = await newLink('https://store.example.org/item?sku=42', refMerchantId);
    const location = expectRedirect(await browser().get(`/${link.code}?utm_source=tt`));
    const clickId = clickIdIn(location, 'ref_id');
    expect(location.searchParams.has('clk')).toBe(false);
    expect(location.searchParams.get('sku')).toBe('42');
    expect(location.searchParams.get('utm_source')).toBe('tt');
    expect((await readClick(clickId)).merchantId).toBe(refMerchantId);
  });

  test('the click records user-agent class, referrer host only, and a hash of the IP (never the IP)', async () => {
    const link = await newLink();
    const before = Date.now();
    const res = await browser(IPHONE_UA).get(`/${link.code}`, {
      referer: 'https://www.instagram.com/p/SECRETPOST/?igshid=private-token',
    });
    const after = Date.now();
    const clickId = clickIdIn(expectRedirect(res));
    const raw = await admin.get(`/admin/clicks/${clickId}`);
    const click = await readClick(clickId);
    expect(click.referrerHost).toBe('www.instagram.com');
    expect(click.device).toBe('mobile');
    expect(click.os).toMatch(/ios/i);
    expect(click.browser).toMatch(/safari/i);
    expect(click.ipHash).not.toBe('127.0.0.1');
    expect(raw.text).not.toContain('127.0.0.1');
    expect(raw.text).not.toContain('::1');
    expect(raw.text).not.toContain('SECRETPOST');
    expect(raw.text).not.toContain('private-token');
    // The time is the time of the request (ISO UTC), not some other moment.
    const at = Date.parse(click.occurredAt);
    expect(at).toBeGreaterThanOrEqual(before - 1000);
    expect(at).toBeLessThanOrEqual(after + 1000);

    const desktop = await readClick(clickIdIn(expectRedirect(await browser().get(`/${link.code}`))));
    expect(desktop.browser).toMatch(/chrome/i);
    expect(desktop.os).toMatch(/windows/i);
    expect(desktop.device).not.toBe('mobile');
    expect(desktop.referrerHost).toBeUndefined();
    // The same IP gives the same hash: it groups a visitor's clicks.
    expect(desktop.ipHash).toBe(click.ipHash);
  });

  test('no click record anywhere holds the raw IP', async () => {
    const link = await newLink();
    expectRedirect(await browser().get(`/${link.code}`));
    const items = await scanTable(runtime, 'click');
    expect(items.length).toBeGreaterThan(0);
    const dump = JSON.stringify(items);
    expect(dump).not.toContain('127.0.0.1');
    expect(dump).not.toContain('::ffff:');
  });

  test('exactly one click is written per redirect, before the response', async () => {
    const link = await newLink();
    const shopper = browser();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(clickIdIn(expectRedirect(await shopper.get(`/${link.code}`))));
    const stored = await storedClicks(link.code);
    expect(stored.map((c) => c.clickId).sort()).toEqual([...ids].sort());
  });
});

describe('bots', () => {
  test.each([
    ['Googlebot', { 'user-agent': GOOGLEBOT_UA }],
    ['curl', { 'user-agent': 'curl/8.5.0' }],
    ['node', { 'user-agent': 'node' }],
    ['an empty user agent', { 'user-agent': '' }],
  ])('%s gets a 302 to the target without a click id, logged with bot: true', async (_label, headers) => {
    const link = await newLink();
    const bot = new HttpClient(runtime.baseUrl, headers);
    const res = await bot.get(`/${link.code}?utm_source=crawler`);
    const location = expectRedirect(res);
    expect(location.searchParams.has('clk')).toBe(false);
    expect(`${location.origin}${location.pathname}`).toBe(`https://${SHOP_DOMAIN}/products/red-shoes`);
    expect(location.searchParams.get('color')).toBe('red');
    expect(location.hash).toBe('#reviews');
    expect(res.headers.get('cache-control') ?? '').toContain('no-store');

    const stored = await storedClicks(link.code);
    expect(stored).toHaveLength(1);
    const [item] = stored;
    expect(item?.bot).toBe(true);
    expect(String(item?.clickId)).toMatch(ULID);
    // The admin view agrees, and a bot click is never a duplicate.
    const view = await readClick(String(item?.clickId));
    expect(view).toMatchObject({ bot: true, code: link.code, influencerId, merchantId });
  });

  test('a bot never gets the merchant’s own click id parameter either', async () => {
    const link = await newLink('https://store.example.org/item?sku=1', refMerchantId);
    const location = expectRedirect(
      await new HttpClient(runtime.baseUrl, { 'user-agent': GOOGLEBOT_UA }).get(`/${link.code}`),
    );
    expect(location.searchParams.has('ref_id')).toBe(false);
    expect(location.searchParams.get('sku')).toBe('1');
  });
});

describe('HEAD', () => {
  test('302 with a Location without click id, and no click written', async () => {
    const link = await newLink();
    const shopper = browser();
    const res = await shopper.head(`/${link.code}?utm_source=preview`);
    const location = expectRedirect(res);
    expect(location.searchParams.has('clk')).toBe(false);
    expect(`${location.origin}${location.pathname}`).toBe(`https://${SHOP_DOMAIN}/products/red-shoes`);
    expect(location.searchParams.get('color')).toBe('red');
    expect(location.hash).toBe('#reviews');
    expect(await storedClicks(link.code)).toEqual([]);
    // A GET afterwards is the first click.
    clickIdIn(expectRedirect(await shopper.get(`/${link.code}`)));
    expect(await storedClicks(link.code)).toHaveLength(1);
  });

  test('404 for an unknown code', async () => {
    expect((await browser().head(`/${uniqueId('nolink')}`)).status).toBe(404);
  });
});

describe('unknown codes', () => {
  test.each([
    ['an unknown code', () => `/${uniqueId('nolink')}`],
    ['a code that is too short', () => '/ab'],
    ['a code that is too long', () => `/${'x'.repeat(65)}`],
    ['a code with invalid characters', () => '/bad.code!'],
  ])('%s is a 404 in the error shape, never a redirect, no click', async (_label, path) => {
    const p = path();
    const res = await browser().get(p);
    expect(res.status).toBe(404);
    expect(res.location).toBeUndefined();
    expect(res.headers.get('content-type') ?? '').toContain('application/json');
    bodyOf(res, errorBodySchema);
    const code = decodeURIComponent(p.slice(1));
    expect(await storedClicks(code)).toEqual([]);
  });
});

describe('disabling a link', () => {
  /** Polls GET /{code} until it answers `status`; the contract allows 5 s. */
  const pollStatus = (client: HttpClient, code: string, status: number) =>
    pollUntil(
      () => client.get(`/${code}`),
      (res) => res.status === status,
      6_000,
      250,
    );

  test('a disabled link is 410 within 5 s (no redirect, no click); re-enabled it redirects again', async () => {
    const link = await newLink();
    const shopper = browser();
    // Warm the redirect's cache first, so the change has to get through it.
    clickIdIn(expectRedirect(await shopper.get(`/${link.code}`)));
    expectRedirect(await shopper.head(`/${link.code}`));

    expect((await admin.patch(`/admin/links/${link.code}`, { disabled: true })).status).toBe(200);
    const gone = await pollStatus(shopper, link.code, 410);
    expect(gone.status).toBe(410);
    expect(gone.location).toBeUndefined();
    expect(gone.headers.get('content-type') ?? '').toContain('application/json');
    bodyOf(gone, errorBodySchema);
    const head = await shopper.head(`/${link.code}`);
    expect(head.status).toBe(410);
    expect(head.location).toBeUndefined();

    // Every click stored so far got a 302: a 410 writes none.
    const before = await storedClicks(link.code);
    for (let i = 0; i < 3; i++) expect((await shopper.get(`/${link.code}`)).status).toBe(410);
    expect(await storedClicks(link.code)).toHaveLength(before.length);

    expect((await admin.patch(`/admin/links/${link.code}`, { disabled: false })).status).toBe(200);
    const back = await pollStatus(shopper, link.code, 302);
    const clickId = clickIdIn(expectRedirect(back));
    expect((await readClick(clickId)).code).toBe(link.code);
  }, 20_000);
});

describe('clicks API', () => {
  test('GET /admin/clicks/{clickId} of an unknown or malformed id is a 404', async () => {
    for (const id of ['01ARZ3NDEKTSV4RRFFQ69G5FAV', 'not-a-ulid']) {
      const res = await admin.get(`/admin/clicks/${id}`);
      expect([400, 404]).toContain(res.status);
      bodyOf(res, errorBodySchema);
    }
  });
});

describe('logs', () => {
  test('no log line of the run holds the raw IP or a webhook secret', async () => {
    const link = await newLink();
    expectRedirect(await browser().get(`/${link.code}`, { referer: 'https://t.co/abc' }));
    expect((await browser().get(`/${uniqueId('nolink')}`)).status).toBe(404);
    // The start-up lines name the loopback address the API listens on: they are not request logs.
    const startup = [/^creditlink is running at /, /^\s+(DynamoDB Local|try|admin token|data directory):/];
    const logLines = runtime
      .output()
      .split('\n')
      .filter((line) => !startup.some((pattern) => pattern.test(line)));
    const logs = logLines.join('\n');
    expect(logs).not.toContain('127.0.0.1');
    expect(logs).not.toContain('::ffff:');
    expect(secrets.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(logs).not.toContain(secret.slice('whsec_'.length));
  });
});
