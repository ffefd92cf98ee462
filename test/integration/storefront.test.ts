/**
 * Storefronts against DynamoDB Local: the admin routes (200, and every 400/404/409 writes nothing),
 * the page (links, hidden disabled links, 404 page, ETag/304) and view counting (one event per
 * non-bot view, none for bots or HEAD, and a warm page costs exactly that one write).
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { BROWSER_UA, context, httpEvent } from '../support/events';
import { useTestStores } from '../support/stores';

type Result = { statusCode: number; headers?: Record<string, string | number | boolean>; body?: string };
type Handler = (e: APIGatewayProxyEventV2, c: ReturnType<typeof context>) => Promise<Result>;
type Item = Record<string, unknown>;

const GOOGLEBOT_UA = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const CACHE_TTL_MS = 300;

let admin: Handler;
let storefront: Handler;
let tables: { config: string; clicks: string };
let dynamo: typeof import('../../functions/common/clients/aws').dynamo;
const sdkCalls: string[] = [];

const call = async (method: string, route: string, opts: Partial<Parameters<typeof httpEvent>[0]> = {}) => {
  const res = await admin(httpEvent({ method, route, admin: true, ...opts }), context());
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
};
const put = (handle: string, body: unknown, opts: Partial<Parameters<typeof httpEvent>[0]> = {}) =>
  call('PUT', '/admin/storefronts/{handle}', { pathParameters: { handle }, body, ...opts });
const read = (handle: string) => call('GET', '/admin/storefronts/{handle}', { pathParameters: { handle } });

const view = (
  handle: string,
  opts: { method?: string; headers?: Record<string, string>; cookies?: string[] } = {},
) =>
  storefront(
    httpEvent({
      method: opts.method ?? 'GET',
      route: '/s/{handle}',
      path: `/s/${handle}`,
      pathParameters: { handle },
      headers: {
        'user-agent': BROWSER_UA,
        referer: 'https://www.instagram.com/anna?igsh=1',
        ...opts.headers,
      },
      cookies: opts.cookies,
    }),
    context(),
  );

const scan = async (table: string): Promise<Item[]> => {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await dynamo().send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
};
const viewsOf = async (handle: string) =>
  (await scan(tables.clicks)).filter((i) => i.itemType === 'storefront_view' && i.handle === handle);
const storefrontItems = async () => (await scan(tables.config)).filter((i) => i.itemType === 'storefront');
const waitForCache = () => new Promise((r) => setTimeout(r, CACHE_TTL_MS + 50));

const item = (code: string, extra: Record<string, unknown> = {}) => ({
  code,
  title: `Item ${code}`,
  ...extra,
});
const anna = (items: unknown[], extra: Record<string, unknown> = {}) => ({
  influencerId: 'inf-anna',
  title: 'Summer picks',
  items,
  ...extra,
});

beforeAll(async () => {
  const stores = await useTestStores('storefront', { STOREFRONT_CACHE_TTL_MS: String(CACHE_TTL_MS) });
  tables = stores.tables;
  const aws = await import('../../functions/common/clients/aws');
  dynamo = aws.dynamo;
  aws.dynamo().middlewareStack.add(
    (next, ctx) => async (args) => {
      sdkCalls.push(String(ctx.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'countStorefrontCalls' },
  );
  admin = (await import('../../functions/admin/handler')).handler as unknown as Handler;
  storefront = (await import('../../functions/storefront/handler')).handler as unknown as Handler;

  const created = async (route: string, body: unknown) =>
    expect((await call('POST', route, { body })).status).toBe(201);
  await created('/admin/merchants', {
    merchantId: 'shop-s',
    name: 'Shop',
    allowedDomains: ['shop.example.com'],
    currency: 'USD',
    commission: { defaultBps: 500 },
  });
  await created('/admin/influencers', { influencerId: 'inf-anna', handle: 'anna-s', name: 'Anna Example' });
  await created('/admin/influencers', { influencerId: 'inf-bella', handle: 'bella-s', name: 'Bella' });
  for (const [code, influencerId] of [
    ['anna-1', 'inf-anna'],
    ['anna-2', 'inf-anna'],
    ['anna-3', 'inf-anna'],
    ['bella-1', 'inf-bella'],
  ]) {
    await created('/admin/links', {
      code,
      influencerId,
      merchantId: 'shop-s',
      targetUrl: `https://shop.example.com/p/${code}`,
    });
  }
});

describe('admin: PUT and GET /admin/storefronts/{handle}', () => {
  it('creates a storefront, answers 200 with its public URL, and reads it back', async () => {
    const res = await put(
      'anna-summer',
      anna([
        item('anna-1', { imageUrl: 'https://cdn.example.com/1.jpg', note: 'Runs small' }),
        item('anna-2'),
      ]),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      handle: 'anna-summer',
      influencerId: 'inf-anna',
      title: 'Summer picks',
      url: 'https://go.example.test/s/anna-summer',
      items: [
        {
          code: 'anna-1',
          title: 'Item anna-1',
          imageUrl: 'https://cdn.example.com/1.jpg',
          note: 'Runs small',
        },
        { code: 'anna-2', title: 'Item anna-2' },
      ],
    });
    expect(res.body.createdAt).toBe(res.body.updatedAt);
    const got = await read('anna-summer');
    expect(got).toEqual({ status: 200, body: res.body });
  });

  it('lets the same influencer replace it (createdAt kept) and refuses another influencer with 409', async () => {
    const first = await put('anna-replace', anna([item('anna-1')]));
    await new Promise((r) => setTimeout(r, 5));
    const second = await put('anna-replace', anna([item('anna-3'), item('anna-2')], { title: 'New' }));
    expect(second.status).toBe(200);
    expect(second.body.createdAt).toBe(first.body.createdAt);
    expect(second.body.updatedAt > first.body.updatedAt).toBe(true);
    expect(second.body.items.map((i: { code: string }) => i.code)).toEqual(['anna-3', 'anna-2']);

    for (const handle of ['anna-replace', 'ANNA-Replace']) {
      const taken = await put(handle, { influencerId: 'inf-bella', title: 'Mine', items: [item('bella-1')] });
      expect(taken.status).toBe(409);
      expect(taken.body.error.code).toBe('handle_taken');
    }
    expect((await read('anna-replace')).body).toEqual(second.body);
    // Handles are one namespace whatever their case: one storefront item for both spellings.
    expect((await storefrontItems()).filter((i) => i.pk === 'STOREFRONT#anna-replace')).toHaveLength(1);
  });

  it('gives a handle to exactly one influencer when two race for it', async () => {
    const results = await Promise.all([
      put('race-handle', anna([item('anna-1')])),
      put('race-handle', { influencerId: 'inf-bella', title: 'Mine', items: [item('bella-1')] }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
  });

  const hundredOne = Array.from({ length: 101 }, () => item('anna-1'));
  it.each([
    ['a code of another influencer', 'anna-bad', anna([item('anna-1'), item('bella-1')]), 'items.1.code'],
    ['a code that is no link', 'anna-bad', anna([item('nope-404')]), 'items.0.code'],
    ['101 items', 'anna-bad', anna(hundredOne), 'items'],
    [
      'an http image',
      'anna-bad',
      anna([item('anna-1', { imageUrl: 'http://cdn.example.com/1.jpg' })]),
      'items.0.imageUrl',
    ],
    [
      'a javascript: image',
      'anna-bad',
      anna([item('anna-1', { imageUrl: 'javascript:alert(1)' })]),
      'items.0.imageUrl',
    ],
    ['a bad handle', 'a/b', anna([item('anna-1')]), 'handle'],
    ['a two-letter handle', 'ab', anna([item('anna-1')]), 'handle'],
    ['no title', 'anna-bad', anna([item('anna-1')], { title: '' }), 'title'],
    ['an unknown field', 'anna-bad', anna([item('anna-1')], { theme: 'dark' }), ''],
  ])('refuses %s with 400 naming the field, and writes nothing', async (_, handle, body, path) => {
    const before = await scan(tables.config);
    const res = await put(handle, body);
    expect(res.status).toBe(400);
    expect(res.body.error.issues.map((i: { path: string }) => i.path)).toContain(path);
    expect(await scan(tables.config)).toEqual(before);
  });

  it('names every bad item, not only the first', async () => {
    const res = await put('anna-bad', anna([item('bella-1'), item('anna-1'), item('missing-1')]));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_body');
    expect(res.body.error.issues.map((i: { path: string }) => i.path)).toEqual([
      'items.0.code',
      'items.2.code',
    ]);
  });

  it('answers 404 for an unknown influencer or handle, 400 for an impossible handle, and 401 without the token', async () => {
    const unknown = await put('ghost-front', { influencerId: 'inf-ghost', title: 'x', items: [] });
    expect(unknown.status).toBe(404);
    expect((await read('ghost-front')).status).toBe(404);
    const impossible = await read('a/b');
    expect(impossible.status).toBe(400);
    expect(impossible.body.error.code).toBe('invalid_path');
    const anonymous = await admin(
      httpEvent({
        method: 'GET',
        route: '/admin/storefronts/{handle}',
        pathParameters: { handle: 'anna-summer' },
      }),
      context(),
    );
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('the page GET /s/{handle}', () => {
  beforeAll(async () => {
    expect(
      (
        await put(
          'anna-page',
          anna(
            [
              item('anna-1', {
                title: '<script>alert("x")</script> Shirt',
                imageUrl: 'https://cdn.example.com/1.jpg',
              }),
              item('anna-2', { note: '<b>bold</b> & "quoted"' }),
              item('anna-3'),
            ],
            { title: 'Anna <em>loves</em>' },
          ),
        )
      ).status,
    ).toBe(200);
  });

  it('serves escaped HTML with every item linked through its short link, cacheable, with an ETag', async () => {
    const res = await view('anna-page');
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers?.['cache-control']).toBe('public, max-age=60');
    expect(String(res.headers?.etag)).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(String(res.headers?.['content-security-policy'])).toContain("default-src 'none'");
    const body = res.body ?? '';
    expect(body).toContain('<h1>Anna &lt;em&gt;loves&lt;/em&gt;</h1>');
    expect(body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Shirt');
    expect(body).toContain('&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;');
    expect(body).not.toContain('<script');
    expect(body).toContain('Anna Example');
    const hrefs = [...body.matchAll(/<a class="card" href="([^"]+)"/g)].map((m) => m[1]);
    expect(hrefs).toEqual(
      ['anna-1', 'anna-2', 'anna-3'].map(
        (code) =>
          `https://go.example.test/${code}?utm_source=storefront&amp;utm_medium=influencer_storefront`,
      ),
    );
  });

  it('finds the page whatever the case of the handle, and answers an HTML 404 page for an unknown one', async () => {
    expect((await view('ANNA-Page')).statusCode).toBe(200);
    for (const handle of ['no-such-front', 'x', '..%2F']) {
      const res = await view(handle);
      expect(res.statusCode).toBe(404);
      expect(res.headers?.['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toContain('Storefront not found');
    }
  });

  it('answers 304 to a matching If-None-Match, and 200 again once the page changed', async () => {
    const first = await view('anna-page');
    const etag = String(first.headers?.etag);
    const again = await view('anna-page', { headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers?.etag).toBe(etag);
    expect(again.headers?.['cache-control']).toBe('public, max-age=60');
    expect((await view('anna-page', { headers: { 'if-none-match': '"other"' } })).statusCode).toBe(200);

    expect((await put('anna-page', anna([item('anna-1')], { title: 'Changed' }))).status).toBe(200);
    await waitForCache();
    const changed = await view('anna-page', { headers: { 'if-none-match': etag } });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers?.etag).not.toBe(etag);
  });

  it('hides the item of a disabled link within the cache TTL, and shows it again once enabled', async () => {
    expect((await put('anna-disable', anna([item('anna-1'), item('anna-2')]))).status).toBe(200);
    expect((await view('anna-disable')).body).toContain('/anna-2?');
    const patch = (disabled: boolean) =>
      call('PATCH', '/admin/links/{code}', { pathParameters: { code: 'anna-2' }, body: { disabled } });
    expect((await patch(true)).status).toBe(200);
    await waitForCache();
    const hidden = (await view('anna-disable')).body ?? '';
    expect(hidden).toContain('/anna-1?');
    expect(hidden).not.toContain('/anna-2?');
    expect((await patch(false)).status).toBe(200);
    await waitForCache();
    expect((await view('anna-disable')).body).toContain('/anna-2?');
  });
});

describe('view counting', () => {
  beforeAll(async () => {
    expect((await put('anna-views', anna([item('anna-1')]))).status).toBe(200);
  });

  it('writes one view event per non-bot view (a 304 included), without the fields attribution reads', async () => {
    const vid = 'VVVVVVVVVVVVVVVVVVVVVV';
    expect((await view('anna-views', { cookies: [`vid=${vid}`] })).statusCode).toBe(200);
    const views = await viewsOf('anna-views');
    expect(views).toHaveLength(1);
    expect(views[0]).toMatchObject({
      itemType: 'storefront_view',
      handle: 'anna-views',
      influencerId: 'inf-anna',
      viewerId: vid,
      device: 'mobile',
      referrerHost: 'www.instagram.com',
    });
    expect(String(views[0]?.clickId)).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(Number(views[0]?.expiresAt)).toBeGreaterThan(Date.now() / 1000 + 300 * 86_400);
    // Not a click: no visitorId (so never in the byVisitor index), no code, no merchant.
    expect(views[0]).not.toHaveProperty('visitorId');
    expect(views[0]).not.toHaveProperty('merchantId');
    const { clickRepo } = await import('../../functions/common/repos/clicks');
    expect(await clickRepo(tables.clicks).ofVisitor(vid, '0'.repeat(26), 'Z'.repeat(26))).toEqual([]);

    const etag = String((await view('anna-views')).headers?.etag);
    expect((await view('anna-views', { headers: { 'if-none-match': etag } })).statusCode).toBe(304);
    expect(await viewsOf('anna-views')).toHaveLength(3);
  });

  it.each([
    ['a bot', { headers: { 'user-agent': GOOGLEBOT_UA } }],
    ['a link-preview fetcher', { headers: { 'user-agent': 'facebookexternalhit/1.1' } }],
    ['no user agent', { headers: { 'user-agent': '' } }],
    ['HEAD', { method: 'HEAD' }],
    ['a prefetch', { headers: { 'sec-purpose': 'prefetch' } }],
  ])('serves the page to %s without counting a view', async (_, opts) => {
    const before = (await viewsOf('anna-views')).length;
    const res = await view('anna-views', opts);
    expect(res.statusCode).toBe(200);
    expect(await viewsOf('anna-views')).toHaveLength(before);
  });

  it('writes nothing for an unknown handle', async () => {
    const before = (await scan(tables.clicks)).length;
    expect((await view('nobody-here')).statusCode).toBe(404);
    expect(await scan(tables.clicks)).toHaveLength(before);
  });

  it('costs exactly one DynamoDB call (the view PutItem) when warm, and none for a bot', async () => {
    await waitForCache();
    sdkCalls.length = 0;
    await view('anna-views');
    // Cold: the storefront and its links are read once, then the view is written.
    expect(sdkCalls).toEqual(['GetItemCommand', 'BatchGetItemCommand', 'PutItemCommand']);
    sdkCalls.length = 0;
    await view('anna-views');
    expect(sdkCalls).toEqual(['PutItemCommand']);
    sdkCalls.length = 0;
    await view('anna-views', { headers: { 'user-agent': GOOGLEBOT_UA } });
    expect(sdkCalls).toEqual([]);
  });
});
