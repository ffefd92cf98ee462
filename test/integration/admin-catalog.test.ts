/**
 * Merchants, influencers and links through the admin handler against DynamoDB Local: uniqueness
 * under concurrency, secrets sealed at rest, rotation overlap, and "a 4xx writes nothing".
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { context, httpEvent } from '../support/events';
import { useTestStores } from '../support/stores';

type Result = { statusCode: number; body?: string };
type Handler = (e: APIGatewayProxyEventV2, c: ReturnType<typeof context>) => Promise<Result>;

let handler: Handler;
let configTable: string;
let adminContext: typeof import('../../functions/admin/context').admin;
let liveSecrets: typeof import('../../functions/common/crypto/webhook-secrets').liveWebhookSecrets;

const call = async (method: string, route: string, opts: Partial<Parameters<typeof httpEvent>[0]> = {}) => {
  const res = await handler(httpEvent({ method, route, admin: true, ...opts }), context());
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
};

const scanConfig = async () => {
  const { dynamo } = await import('../../functions/common/clients/aws');
  return (await dynamo().send(new ScanCommand({ TableName: configTable }))).Items ?? [];
};

const merchant = (merchantId: string) => ({
  merchantId,
  name: 'Shop',
  allowedDomains: ['shop.example.com'],
  currency: 'USD',
  commission: { defaultBps: 500, categoryBps: { beauty: 1000 } },
});

beforeAll(async () => {
  const stores = await useTestStores('catalog');
  configTable = stores.tables.config;
  handler = (await import('../../functions/admin/handler')).handler as unknown as Handler;
  adminContext = (await import('../../functions/admin/context')).admin;
  liveSecrets = (await import('../../functions/common/crypto/webhook-secrets')).liveWebhookSecrets;
});

describe('merchants', () => {
  it('creates a merchant with defaults and a secret shown once, sealed at rest', async () => {
    const res = await call('POST', '/admin/merchants', { body: merchant('m-sealed') });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      merchantId: 'm-sealed',
      clickIdParam: 'clk',
      attributionModel: 'last_click',
      attributionWindowDays: 30,
      holdDays: 30,
    });
    const secret: string = res.body.webhookSecret;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);

    const read = await call('GET', '/admin/merchants/{merchantId}', {
      pathParameters: { merchantId: 'm-sealed' },
    });
    expect(read.status).toBe(200);
    expect(JSON.stringify(read.body)).not.toContain('whsec_');
    expect(JSON.stringify(read.body)).not.toContain('"sealed"');

    const raw = JSON.stringify(await scanConfig());
    expect(raw).toContain('m-sealed');
    expect(raw).not.toContain(secret);
    expect(raw).not.toContain(secret.slice('whsec_'.length));
  });

  it('generates an id when none is given and refuses a taken one with 409', async () => {
    const generated = await call('POST', '/admin/merchants', {
      body: { ...merchant('x'), merchantId: undefined },
    });
    expect(generated.status).toBe(201);
    expect(generated.body.merchantId).toMatch(/^mer_[A-Za-z0-9]{12}$/);
    expect((await call('POST', '/admin/merchants', { body: merchant('m-taken') })).status).toBe(201);
    const again = await call('POST', '/admin/merchants', { body: merchant('m-taken') });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('merchant_exists');
  });

  it('rotates: the new and old secrets both verify for 24 hours, then only the new one', async () => {
    const created = await call('POST', '/admin/merchants', { body: merchant('m-rotate') });
    const first: string = created.body.webhookSecret;
    const rotated = await call('POST', '/admin/merchants/{merchantId}/secrets', {
      pathParameters: { merchantId: 'm-rotate' },
    });
    expect(rotated.status).toBe(201);
    const second: string = rotated.body.webhookSecret;
    expect(second).not.toBe(first);
    const until = Date.parse(rotated.body.previousSecretsValidUntil);
    expect(until - Date.now()).toBeGreaterThan(23.9 * 3600_000);

    const stored = await adminContext.merchants.get('m-rotate');
    if (!stored) throw new Error('merchant missing');
    expect((await liveSecrets(stored, new Date())).sort()).toEqual([first, second].sort());
    expect(await liveSecrets(stored, new Date(until + 1))).toEqual([second]);

    // A rotation after the overlap drops the expired secret from the item.
    const realNow = adminContext.now;
    adminContext.now = () => new Date(until + 1000);
    try {
      await call('POST', '/admin/merchants/{merchantId}/secrets', {
        pathParameters: { merchantId: 'm-rotate' },
      });
    } finally {
      adminContext.now = realNow;
    }
    const after = await adminContext.merchants.get('m-rotate');
    expect(after?.webhookSecrets).toHaveLength(2);
  });

  it('answers 404 when rotating an unknown merchant', async () => {
    const res = await call('POST', '/admin/merchants/{merchantId}/secrets', {
      pathParameters: { merchantId: 'nobody' },
    });
    expect(res.status).toBe(404);
  });

  it.each([
    ['no name', { name: undefined }, 'name'],
    ['empty domains', { allowedDomains: [] }, 'allowedDomains'],
    ['domain with scheme', { allowedDomains: ['https://shop.example.com'] }, 'allowedDomains.0'],
    ['own host', { allowedDomains: ['go.example.test'] }, 'allowedDomains.0'],
    ['lower-case currency', { currency: 'usd' }, 'currency'],
    ['float bps', { commission: { defaultBps: 5.5 } }, 'commission.defaultBps'],
    ['bps over 10 000', { commission: { defaultBps: 10_001 } }, 'commission.defaultBps'],
    ['unknown model', { attributionModel: 'shapley' }, 'attributionModel'],
    ['zero window', { attributionWindowDays: 0 }, 'attributionWindowDays'],
    ['utm click param', { clickIdParam: 'utm_click' }, 'clickIdParam'],
    ['unknown field', { colour: 'red' }, ''],
  ])('refuses %s with 400 and writes nothing', async (_, change, path) => {
    const before = (await scanConfig()).length;
    const res = await call('POST', '/admin/merchants', { body: { ...merchant('m-bad'), ...change } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_body');
    expect(res.body.error.issues.map((i: { path: string }) => i.path)).toContain(path);
    expect((await scanConfig()).length).toBe(before);
  });
});

describe('influencers', () => {
  it('gives a coupon code to exactly one influencer, case-insensitively, even under concurrent creation', async () => {
    const attempts = await Promise.all(
      ['anna', 'bella', 'cara', 'dana', 'ella'].map((name, i) =>
        call('POST', '/admin/influencers', {
          body: {
            influencerId: `inf-${name}`,
            handle: name,
            name,
            couponCodes: [i % 2 ? 'shared10' : 'SHARED10'],
          },
        }),
      ),
    );
    expect(attempts.filter((a) => a.status === 201)).toHaveLength(1);
    const refused = attempts.filter((a) => a.status === 409);
    expect(refused).toHaveLength(4);
    for (const r of refused) expect(r.body.error.code).toBe('coupon_taken');
    // Losers left nothing behind: their ids are free and their handles are not taken.
    const loser = attempts.findIndex((a) => a.status === 409);
    const name = ['anna', 'bella', 'cara', 'dana', 'ella'][loser] ?? '';
    const retry = await call('POST', '/admin/influencers', {
      body: { influencerId: `inf-${name}`, handle: name, name },
    });
    expect(retry.status).toBe(201);
  });

  it('refuses a taken handle (case-insensitively) and a taken id with 409', async () => {
    expect(
      (
        await call('POST', '/admin/influencers', {
          body: { influencerId: 'inf-h1', handle: 'Zoe', name: 'Zoe' },
        })
      ).status,
    ).toBe(201);
    const handle = await call('POST', '/admin/influencers', {
      body: { influencerId: 'inf-h2', handle: 'zoe', name: 'Zoe 2' },
    });
    expect(handle.status).toBe(409);
    expect(handle.body.error.code).toBe('handle_taken');
    const id = await call('POST', '/admin/influencers', {
      body: { influencerId: 'inf-h1', handle: 'zoe-3', name: 'Zoe 3' },
    });
    expect(id.status).toBe(409);
    expect(id.body.error.code).toBe('influencer_exists');
  });

  it('refuses duplicate coupon codes within one request and a negative minimum', async () => {
    const dup = await call('POST', '/admin/influencers', {
      body: { handle: 'dupe', name: 'D', couponCodes: ['AB12', 'ab12'] },
    });
    expect(dup.status).toBe(400);
    const negative = await call('POST', '/admin/influencers', {
      body: { handle: 'neg', name: 'N', payoutMinimumMinor: -1 },
    });
    expect(negative.status).toBe(400);
    expect(negative.body.error.issues[0].path).toBe('payoutMinimumMinor');
  });
});

describe('links', () => {
  beforeAll(async () => {
    await call('POST', '/admin/merchants', { body: merchant('m-links') });
    await call('POST', '/admin/influencers', {
      body: { influencerId: 'inf-links', handle: 'linker', name: 'L' },
    });
  });

  const link = (body: Record<string, unknown>) =>
    call('POST', '/admin/links', { body: { influencerId: 'inf-links', merchantId: 'm-links', ...body } });

  it('creates a link with a generated code and its short URL', async () => {
    const res = await link({ targetUrl: 'https://shop.example.com/p/1' });
    expect(res.status).toBe(201);
    expect(res.body.code).toMatch(/^[A-Za-z0-9]{7}$/);
    expect(res.body.shortUrl).toBe(`https://go.example.test/${res.body.code}`);
    expect(res.body.disabled).toBe(false);
  });

  it.each([
    ['http', 'http://shop.example.com/p'],
    ['javascript', 'javascript:alert(1)'],
    ['data', 'data:text/html,hi'],
    ['other host', 'https://evil.test/p'],
    ['look-alike host', 'https://evilshop.example.com/p'],
    ['allowed domain as a prefix', 'https://shop.example.com.evil.test/p'],
    ['credentials', 'https://user:pw@shop.example.com/p'],
    ['not a URL', 'shop.example.com/p'],
  ])('refuses a %s target with 400 on targetUrl and writes nothing', async (_, targetUrl) => {
    const res = await link({ code: 'never-made', targetUrl });
    expect(res.status).toBe(400);
    expect(res.body.error.issues[0].path).toBe('targetUrl');
    expect(
      (await call('GET', '/admin/links/{code}', { pathParameters: { code: 'never-made' } })).status,
    ).toBe(404);
  });

  it('accepts a subdomain of an allowed domain', async () => {
    expect((await link({ targetUrl: 'https://eu.shop.example.com/p' })).status).toBe(201);
  });

  it('gives a code to one link only, even under concurrent creation', async () => {
    const attempts = await Promise.all(
      [1, 2, 3, 4].map((n) => link({ code: 'one-only', targetUrl: `https://shop.example.com/p/${n}` })),
    );
    expect(attempts.map((a) => a.status).sort()).toEqual([201, 409, 409, 409]);
  });

  it('answers 404 for an unknown influencer or merchant', async () => {
    const noInfluencer = await call('POST', '/admin/links', {
      body: { influencerId: 'ghost', merchantId: 'm-links', targetUrl: 'https://shop.example.com/' },
    });
    expect(noInfluencer.status).toBe(404);
    const noMerchant = await call('POST', '/admin/links', {
      body: { influencerId: 'inf-links', merchantId: 'ghost', targetUrl: 'https://shop.example.com/' },
    });
    expect(noMerchant.status).toBe(404);
  });
});

describe('admin token', () => {
  it.each([
    ['no header', {}],
    ['wrong token', { authorization: 'Bearer nope' }],
    ['other scheme', { authorization: 'Basic dGVzdC1hZG1pbi10b2tlbg==' }],
  ])('answers 401 with %s and writes nothing', async (_, headers) => {
    const before = (await scanConfig()).length;
    const res = await handler(
      httpEvent({ method: 'POST', route: '/admin/merchants', body: merchant('m-unauth'), headers }),
      context(),
    );
    expect(res.statusCode).toBe(401);
    expect(JSON.parse(res.body ?? '').error.code).toBe('unauthorized');
    expect((await scanConfig()).length).toBe(before);
  });
});
