/**
 * The redirect handler against DynamoDB Local: what it writes, what it answers, and how many
 * DynamoDB calls a warm link costs (counted on the SDK client the handler uses).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { BROWSER_UA, context, httpEvent } from '../support/events';
import { useTestStores } from '../support/stores';

type Handler = (
  e: APIGatewayProxyEventV2,
  c: ReturnType<typeof context>,
) => Promise<{
  statusCode: number;
  headers?: Record<string, string>;
  cookies?: string[];
  body?: string;
}>;

let redirect: Handler;
let admin: Handler;
let clicks: import('../../functions/common/repos/clicks').ClickRepo;
let clicksTable: string;
const sdkCalls: string[] = [];

beforeAll(async () => {
  const stores = await useTestStores('redirect', { LINK_CACHE_TTL_MS: '300' });
  const aws = await import('../../functions/common/clients/aws');
  aws.dynamo().middlewareStack.add(
    (next, ctx) => async (args) => {
      sdkCalls.push(String(ctx.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  redirect = (await import('../../functions/redirect/handler')).handler as unknown as Handler;
  admin = (await import('../../functions/admin/handler')).handler as unknown as Handler;
  clicks = (await import('../../functions/common/repos/clicks')).clickRepo(stores.tables.clicks);
  clicksTable = stores.tables.clicks;

  const post = async (route: string, body: unknown) => {
    const res = await admin(httpEvent({ method: 'POST', route, body, admin: true }), context());
    expect(res.statusCode).toBe(201);
  };
  await post('/admin/merchants', {
    merchantId: 'shop-r',
    name: 'Shop',
    allowedDomains: ['shop.example.com'],
    currency: 'EUR',
    clickIdParam: 'ref_click',
    commission: { defaultBps: 500 },
  });
  await post('/admin/influencers', { influencerId: 'inf-r', handle: 'inf-r', name: 'Rita' });
  await post('/admin/links', {
    code: 'rita-1',
    influencerId: 'inf-r',
    merchantId: 'shop-r',
    targetUrl: 'https://www.shop.example.com/p/9?color=red#reviews',
    campaign: 'spring',
  });
});

const click = (overrides: Partial<Parameters<typeof httpEvent>[0]> = {}) =>
  redirect(
    httpEvent({
      method: 'GET',
      route: '/{code}',
      path: '/rita-1',
      pathParameters: { code: 'rita-1' },
      headers: { 'user-agent': BROWSER_UA, referer: 'https://www.instagram.com/p/abc?igsh=secret' },
      ...overrides,
    }),
    context(),
  );

describe('redirect', () => {
  it('writes one click with what the contract lists, and redirects with the click id in the merchant parameter', async () => {
    const res = await click({
      query: 'utm_source=ig&utm_campaign=spring&other=1',
      sourceIp: '198.51.100.23',
    });
    expect(res.statusCode).toBe(302);
    expect(res.headers?.['cache-control']).toBe('no-store');
    const location = new URL(res.headers?.location ?? '');
    expect(location.origin + location.pathname).toBe('https://www.shop.example.com/p/9');
    expect(location.hash).toBe('#reviews');
    expect(location.searchParams.get('color')).toBe('red');
    expect(location.searchParams.get('utm_source')).toBe('ig');
    expect(location.searchParams.get('utm_campaign')).toBe('spring');
    expect(location.searchParams.has('other')).toBe(false);
    const clickId = location.searchParams.get('ref_click') ?? '';
    expect(clickId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);

    const cookie = res.cookies?.[0] ?? '';
    expect(cookie).toMatch(
      /^vid=[A-Za-z0-9_-]{22,}; Path=\/; Max-Age=31536000; HttpOnly; Secure; SameSite=Lax$/,
    );
    const visitorId = /^vid=([^;]+)/.exec(cookie)?.[1];

    const stored = await clicks.get(clickId);
    expect(stored).toMatchObject({
      clickId,
      code: 'rita-1',
      influencerId: 'inf-r',
      merchantId: 'shop-r',
      visitorId,
      browser: 'Mobile Safari',
      os: 'iOS',
      device: 'mobile',
      referrerHost: 'www.instagram.com',
      bot: false,
      campaign: 'spring',
      utm: { utm_source: 'ig', utm_campaign: 'spring' },
    });
    expect(stored?.ipHash).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(JSON.stringify(stored)).not.toContain('198.51.100.23');
    expect(JSON.stringify(stored)).not.toContain('igsh');
    expect(Date.parse(stored?.occurredAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
    expect(stored?.expiresAt).toBeGreaterThan(Date.now() / 1000 + 300 * 86_400);
  });

  it('reuses a valid visitor cookie and replaces an invalid one', async () => {
    const vid = 'AAAAAAAAAAAAAAAAAAAAAA';
    const reused = await click({ cookies: [`vid=${vid}`] });
    expect(reused.cookies).toBeUndefined();
    const reusedId = new URL(reused.headers?.location ?? '').searchParams.get('ref_click') ?? '';
    expect((await clicks.get(reusedId))?.visitorId).toBe(vid);

    const replaced = await click({ cookies: ['vid=not valid!'] });
    expect(replaced.cookies?.[0]).toMatch(/^vid=[A-Za-z0-9_-]{22}/);
  });

  it('hashes the same IP to the same value and different IPs differently', async () => {
    const ids = [];
    for (const ip of ['192.0.2.1', '192.0.2.1', '192.0.2.2']) {
      const res = await click({ sourceIp: ip });
      ids.push(new URL(res.headers?.location ?? '').searchParams.get('ref_click') ?? '');
    }
    const hashes = await Promise.all(ids.map(async (id) => (await clicks.get(id))?.ipHash));
    expect(hashes[0]).toBe(hashes[1]);
    expect(hashes[0]).not.toBe(hashes[2]);
  });

  it('sends a bot on without a click id, and logs its click as a bot click outside the visitor index', async () => {
    const before = Date.now();
    const res = await click({
      headers: { 'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' },
    });
    expect(res.statusCode).toBe(302);
    const location = new URL(res.headers?.location ?? '');
    expect(location.searchParams.has('ref_click')).toBe(false);
    const vid = /^vid=([^;]+)/.exec(res.cookies?.[0] ?? '')?.[1] ?? '';

    // The one item of that visitor, found without the index: a bot's click carries no `visitorId`.
    const { ScanCommand } = await import('@aws-sdk/lib-dynamodb');
    const { dynamo } = await import('../../functions/common/clients/aws');
    const scanned = await dynamo().send(
      new ScanCommand({
        TableName: clicksTable,
        FilterExpression: 'botVisitorId = :v OR visitorId = :v',
        ExpressionAttributeValues: { ':v': vid },
      }),
    );
    expect(scanned.Items).toHaveLength(1);
    const item = scanned.Items?.[0] ?? {};
    expect(item).not.toHaveProperty('visitorId');
    expect(item).toMatchObject({ bot: true, botVisitorId: vid });
    expect(await clicks.get(String(item.clickId))).toMatchObject({ bot: true, visitorId: vid });

    const { ulidLowerBound, ulidUpperBound } = await import('../../functions/common/domain/ids');
    const ofVisitor = await clicks.ofVisitor(
      vid,
      ulidLowerBound(before - 1000),
      ulidUpperBound(Date.now() + 1000),
    );
    expect(ofVisitor).toEqual([]);
  });

  it('indexes a human click under its visitor', async () => {
    const before = Date.now();
    const vid = 'BBBBBBBBBBBBBBBBBBBBBB';
    const res = await click({ cookies: [`vid=${vid}`] });
    const clickId = new URL(res.headers?.location ?? '').searchParams.get('ref_click') ?? '';
    const { ulidLowerBound, ulidUpperBound } = await import('../../functions/common/domain/ids');
    const ofVisitor = await clicks.ofVisitor(
      vid,
      ulidLowerBound(before - 1000),
      ulidUpperBound(Date.now() + 1000),
    );
    expect(ofVisitor.map((c) => c.clickId)).toEqual([clickId]);
  });

  it('treats a request without a user agent as a bot', async () => {
    const res = await click({ headers: {} });
    expect(new URL(res.headers?.location ?? '').searchParams.has('ref_click')).toBe(false);
  });

  it('answers HEAD with the target and no click id, and writes no click', async () => {
    const vid = 'HEADHEADHEADHEADHEADHE';
    const before = Date.now();
    const res = await click({ method: 'HEAD', route: '/{code}', cookies: [`vid=${vid}`] });
    expect(res.statusCode).toBe(302);
    expect(new URL(res.headers?.location ?? '').searchParams.has('ref_click')).toBe(false);
    const { ulidLowerBound, ulidUpperBound } = await import('../../functions/common/domain/ids');
    expect(
      await clicks.ofVisitor(vid, ulidLowerBound(before - 1000), ulidUpperBound(Date.now() + 1000)),
    ).toHaveLength(0);
  });

  it('answers 404 for an unknown or malformed code, in the contract error shape, writing nothing', async () => {
    for (const code of ['nope-nope', 'ab', 'healthz', 'a'.repeat(65)]) {
      sdkCalls.length = 0;
      const res = await click({ path: `/${code}`, pathParameters: { code } });
      expect(res.statusCode).toBe(404);
      expect(JSON.parse(res.body ?? '')).toEqual({
        error: { code: 'not_found', message: expect.any(String) },
      });
      expect(sdkCalls).not.toContain('PutItemCommand');
    }
  });

  it('shows a small page instead of JSON to a browser asking for HTML', async () => {
    const res = await click({
      path: '/nope-nope',
      pathParameters: { code: 'nope-nope' },
      headers: { accept: 'text/html' },
    });
    expect(res.statusCode).toBe(404);
    expect(res.headers?.['content-type']).toContain('text/html');
  });

  it('costs exactly one DynamoDB call, the click write, for a warm link', async () => {
    await click();
    sdkCalls.length = 0;
    await click();
    expect(sdkCalls).toEqual(['PutItemCommand']);
  });

  it('answers 410 for a disabled link once the cache has expired, and 302 again when re-enabled', async () => {
    const patch = (disabled: boolean) =>
      admin(
        httpEvent({
          method: 'PATCH',
          route: '/admin/links/{code}',
          pathParameters: { code: 'rita-1' },
          body: { disabled },
          admin: true,
        }),
        context(),
      );
    expect((await patch(true)).statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 350));
    sdkCalls.length = 0;
    const gone = await click();
    expect(gone.statusCode).toBe(410);
    expect(JSON.parse(gone.body ?? '').error.code).toBe('link_disabled');
    expect(sdkCalls).not.toContain('PutItemCommand');

    expect((await patch(false)).statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 350));
    expect((await click()).statusCode).toBe(302);
  });
});
