/**
 * API keys against DynamoDB Local (CONTRACT §11): made by the operator and shown once, stored only
 * as a SHA-256, listed without the key, bounded per owner, deleted; a deleted key refused within the
 * 5-second cache (an injected clock, no sleeping); `lastUsedAt` written at most once a minute; and
 * the first self-service routes on a key.
 */
import { createHash } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { context, httpEvent } from '../support/events';
import { useTestStores } from '../support/stores';

type Result = { statusCode: number; body?: string };
type Handler = (e: APIGatewayProxyEventV2, c: ReturnType<typeof context>) => Promise<Result>;

let admin: Handler;
let selfService: Handler;
let configTable: string;
let repo: import('../../functions/common/repos/api-keys').ApiKeyRepo;
let keyVerifier: typeof import('../../functions/common/http/key-auth').keyVerifier;

const parse = (res: Result) => ({
  status: res.statusCode,
  body: res.body ? JSON.parse(res.body) : undefined,
});
const asAdmin = async (method: string, route: string, opts: Partial<Parameters<typeof httpEvent>[0]> = {}) =>
  parse(await admin(httpEvent({ method, route, admin: true, ...opts }), context()));
const withKey = async (key: string, method: string, route: string) =>
  parse(
    await selfService(
      httpEvent({ method, route, headers: { authorization: `Bearer ${key}` } }),
      context('selfService'),
    ),
  );

const MERCHANT_KEYS = '/admin/merchants/{merchantId}/api-keys';
const MERCHANT_KEY = '/admin/merchants/{merchantId}/api-keys/{keyId}';
const INFLUENCER_KEYS = '/admin/influencers/{influencerId}/api-keys';
const INFLUENCER_KEY = '/admin/influencers/{influencerId}/api-keys/{keyId}';

const scanConfig = async () => {
  const { dynamo } = await import('../../functions/common/clients/aws');
  return (await dynamo().send(new ScanCommand({ TableName: configTable }))).Items ?? [];
};

async function makeKey(route: string, pathParameters: Record<string, string>, name = 'ci') {
  const res = await asAdmin('POST', route, { pathParameters, body: { name } });
  expect(res.status).toBe(201);
  return res.body as { keyId: string; name: string; apiKey: string; createdAt: string };
}

beforeAll(async () => {
  const stores = await useTestStores('keys');
  configTable = stores.tables.config;
  admin = (await import('../../functions/admin/handler')).handler as unknown as Handler;
  selfService = (await import('../../functions/self-service/handler')).handler as unknown as Handler;
  repo = (await import('../../functions/common/repos/api-keys')).apiKeyRepo(configTable);
  keyVerifier = (await import('../../functions/common/http/key-auth')).keyVerifier;
  for (const merchantId of ['glow', 'dusk', 'full']) {
    const res = await asAdmin('POST', '/admin/merchants', {
      body: {
        merchantId,
        name: `Shop ${merchantId}`,
        allowedDomains: [`${merchantId}.example.com`],
        currency: 'EUR',
        commission: { defaultBps: 1_000, categoryBps: { beauty: 1_200 } },
      },
    });
    expect(res.status).toBe(201);
  }
  for (const influencerId of ['anna', 'ben']) {
    const res = await asAdmin('POST', '/admin/influencers', {
      body: {
        influencerId,
        handle: influencerId,
        name: `Name ${influencerId}`,
        couponCodes: [`${influencerId}10`],
      },
    });
    expect(res.status).toBe(201);
  }
});

describe('making, listing and deleting keys', () => {
  it('shows a merchant key once, in its format, and stores only its SHA-256', async () => {
    const made = await makeKey(MERCHANT_KEYS, { merchantId: 'glow' }, 'Shop backend');
    expect(made.apiKey).toMatch(/^clk_m_[A-Za-z0-9_-]{43}$/);
    expect(made.keyId).toMatch(/^key_[A-Za-z0-9]{12}$/);
    expect(made.name).toBe('Shop backend');

    const stored = JSON.stringify(await scanConfig());
    expect(stored).not.toContain(made.apiKey);
    expect(stored).not.toContain(made.apiKey.slice('clk_m_'.length));
    expect(stored).toContain(createHash('sha256').update(made.apiKey).digest('hex'));

    const listed = await asAdmin('GET', MERCHANT_KEYS, { pathParameters: { merchantId: 'glow' } });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toContainEqual({
      keyId: made.keyId,
      name: 'Shop backend',
      createdAt: made.createdAt,
    });
    const text = JSON.stringify(listed.body);
    expect(text).not.toContain(made.apiKey);
    expect(text).not.toContain('clk_');
    expect(text).not.toContain(createHash('sha256').update(made.apiKey).digest('hex'));
  });

  it('makes influencer keys with their own prefix, a different key each time', async () => {
    const a = await makeKey(INFLUENCER_KEYS, { influencerId: 'anna' });
    const b = await makeKey(INFLUENCER_KEYS, { influencerId: 'anna' });
    expect(a.apiKey).toMatch(/^clk_i_[A-Za-z0-9_-]{43}$/);
    expect(a.apiKey).not.toBe(b.apiKey);
    expect(a.keyId).not.toBe(b.keyId);
  });

  it('answers 404 for an unknown owner, and writes nothing', async () => {
    const before = await scanConfig();
    const merchant = await asAdmin('POST', MERCHANT_KEYS, {
      pathParameters: { merchantId: 'nobody' },
      body: { name: 'x' },
    });
    expect(merchant.status).toBe(404);
    const influencer = await asAdmin('POST', INFLUENCER_KEYS, {
      pathParameters: { influencerId: 'nobody' },
      body: { name: 'x' },
    });
    expect(influencer.status).toBe(404);
    expect(
      (await asAdmin('GET', INFLUENCER_KEYS, { pathParameters: { influencerId: 'nobody' } })).status,
    ).toBe(404);
    expect(await scanConfig()).toEqual(before);
  });

  it('allows 20 keys per owner, even when made at once, and refuses the 21st with 409, writing nothing', async () => {
    const made = await Promise.all(
      Array.from({ length: 24 }, () =>
        asAdmin('POST', MERCHANT_KEYS, { pathParameters: { merchantId: 'full' }, body: { name: 'k' } }),
      ),
    );
    expect(made.filter((r) => r.status === 201)).toHaveLength(20);
    const refused = made.filter((r) => r.status !== 201);
    expect(refused.map((r) => [r.status, r.body.error.code])).toEqual(Array(4).fill([409, 'api_key_limit']));
    const listed = await asAdmin('GET', MERCHANT_KEYS, { pathParameters: { merchantId: 'full' } });
    expect(listed.body.items).toHaveLength(20);

    // Deleting one frees a place.
    const first = listed.body.items[0].keyId;
    expect(
      (await asAdmin('DELETE', MERCHANT_KEY, { pathParameters: { merchantId: 'full', keyId: first } }))
        .status,
    ).toBe(204);
    await makeKey(MERCHANT_KEYS, { merchantId: 'full' });
  });

  it("deletes a key (204), then 404; another owner's key id is 404 and stays", async () => {
    const made = await makeKey(MERCHANT_KEYS, { merchantId: 'dusk' });
    const foreign = await asAdmin('DELETE', MERCHANT_KEY, {
      pathParameters: { merchantId: 'glow', keyId: made.keyId },
    });
    expect(foreign.status).toBe(404);
    const asInfluencer = await asAdmin('DELETE', INFLUENCER_KEY, {
      pathParameters: { influencerId: 'anna', keyId: made.keyId },
    });
    expect(asInfluencer.status).toBe(404);
    expect((await withKey(made.apiKey, 'GET', '/v1/merchant')).status).toBe(200);

    const deleted = await asAdmin('DELETE', MERCHANT_KEY, {
      pathParameters: { merchantId: 'dusk', keyId: made.keyId },
    });
    expect(deleted.status).toBe(204);
    const again = await asAdmin('DELETE', MERCHANT_KEY, {
      pathParameters: { merchantId: 'dusk', keyId: made.keyId },
    });
    expect(again.status).toBe(404);
    const listed = await asAdmin('GET', MERCHANT_KEYS, { pathParameters: { merchantId: 'dusk' } });
    expect(listed.body.items.map((k: { keyId: string }) => k.keyId)).not.toContain(made.keyId);
    expect(JSON.stringify(await scanConfig())).not.toContain(
      createHash('sha256').update(made.apiKey).digest('hex'),
    );
  });
});

describe('verifying keys', () => {
  it('refuses a deleted key once its cache entry expires, at most 5 seconds after the read', async () => {
    let now = Date.parse('2026-11-03T14:00:00.000Z');
    const verifier = keyVerifier({ repo, now: () => now });
    const made = await makeKey(MERCHANT_KEYS, { merchantId: 'glow' });
    expect((await verifier.verify(made.apiKey))?.ownerId).toBe('glow');

    await asAdmin('DELETE', MERCHANT_KEY, { pathParameters: { merchantId: 'glow', keyId: made.keyId } });
    now += 4_999;
    // Still the cached answer of the read 4.999 s ago: this is the bound, not a failure.
    expect(await verifier.verify(made.apiKey)).toBeDefined();
    now += 1;
    expect(await verifier.verify(made.apiKey)).toBeUndefined();
    // And an instance that never saw the key refuses it at once.
    expect(await keyVerifier({ repo }).verify(made.apiKey)).toBeUndefined();
  });

  it('refuses malformed and unknown keys without telling them apart', async () => {
    const verifier = keyVerifier({ repo });
    const made = await makeKey(MERCHANT_KEYS, { merchantId: 'glow' });
    for (const presented of [
      '',
      'clk_m_short',
      `${made.apiKey}x`,
      made.apiKey.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
      made.apiKey.replace('clk_m_', 'clk_i_'),
    ]) {
      expect(await verifier.verify(presented)).toBeUndefined();
    }
    expect(await verifier.verify(made.apiKey)).toMatchObject({
      kind: 'merchant',
      ownerId: 'glow',
      keyId: made.keyId,
    });
  });

  it('writes lastUsedAt at most once a minute per key, also across instances', async () => {
    const made = await makeKey(INFLUENCER_KEYS, { influencerId: 'ben' });
    const lastUsed = async () => {
      const listed = await asAdmin('GET', INFLUENCER_KEYS, { pathParameters: { influencerId: 'ben' } });
      return listed.body.items.find((k: { keyId: string }) => k.keyId === made.keyId)?.lastUsedAt;
    };
    expect(await lastUsed()).toBeUndefined();

    let now = Date.parse('2026-11-03T14:00:00.000Z');
    const one = keyVerifier({ repo, now: () => now });
    const other = keyVerifier({ repo, now: () => now });
    const key = await one.verify(made.apiKey);
    if (!key) throw new Error('the key was not verified');
    const recordUse = jest.spyOn(repo, 'recordUse');

    await one.recordUse(key);
    expect(await lastUsed()).toBe('2026-11-03T14:00:00.000Z');
    now += 30_000;
    await Promise.all([one.recordUse(key), one.recordUse(key)]);
    // This instance wrote it 30 s ago: no write at all.
    expect(recordUse).toHaveBeenCalledTimes(1);
    // Another instance tries, and the condition keeps the earlier time.
    await other.recordUse(key);
    expect(recordUse).toHaveBeenCalledTimes(2);
    expect(await lastUsed()).toBe('2026-11-03T14:00:00.000Z');

    now += 31_000;
    await one.recordUse(key);
    expect(await lastUsed()).toBe('2026-11-03T14:01:01.000Z');
    recordUse.mockRestore();
  });

  it('never brings a deleted key back by recording its use', async () => {
    const made = await makeKey(INFLUENCER_KEYS, { influencerId: 'ben' });
    const verifier = keyVerifier({ repo });
    const key = await verifier.verify(made.apiKey);
    if (!key) throw new Error('the key was not verified');
    await asAdmin('DELETE', INFLUENCER_KEY, { pathParameters: { influencerId: 'ben', keyId: made.keyId } });
    await verifier.recordUse(key);
    const stored = JSON.stringify(await scanConfig());
    expect(stored).not.toContain(made.keyId);
  });

  it('records the use of a key served through the adapter', async () => {
    const made = await makeKey(INFLUENCER_KEYS, { influencerId: 'ben' });
    expect((await withKey(made.apiKey, 'GET', '/v1/me')).status).toBe(200);
    const listed = await asAdmin('GET', INFLUENCER_KEYS, { pathParameters: { influencerId: 'ben' } });
    const item = listed.body.items.find((k: { keyId: string }) => k.keyId === made.keyId);
    expect(item.lastUsedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});

describe('the first self-service routes', () => {
  it("GET /v1/me: the influencer, its coupon codes and each program's rates in force for it", async () => {
    const put = await asAdmin('PUT', '/admin/merchants/{merchantId}/influencers/{influencerId}', {
      pathParameters: { merchantId: 'glow', influencerId: 'anna' },
      body: { terms: { commission: { defaultBps: 1_500 } } },
    });
    expect(put.status).toBe(200);
    const link = await asAdmin('POST', '/admin/links', {
      body: {
        code: 'anna-dusk',
        influencerId: 'anna',
        merchantId: 'dusk',
        targetUrl: 'https://dusk.example.com/p',
      },
    });
    expect(link.status).toBe(201);

    const { apiKey } = await makeKey(INFLUENCER_KEYS, { influencerId: 'anna' });
    const me = await withKey(apiKey, 'GET', '/v1/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      influencerId: 'anna',
      handle: 'anna',
      name: 'Name anna',
      payoutMinimumMinor: 1000,
      couponCodes: ['anna10'],
    });
    expect(me.body.programs).toEqual([
      {
        merchantId: 'dusk',
        name: 'Shop dusk',
        allowedDomains: ['dusk.example.com'],
        currency: 'EUR',
        // No terms: the merchant's rates.
        commission: { defaultBps: 1_000, categoryBps: { beauty: 1_200 } },
      },
      {
        merchantId: 'glow',
        name: 'Shop glow',
        allowedDomains: ['glow.example.com'],
        currency: 'EUR',
        // Its terms replace the merchant's rates whole (CONTRACT §10).
        commission: { defaultBps: 1_500 },
      },
    ]);

    const links = await withKey(apiKey, 'GET', '/v1/me/links');
    expect(links.status).toBe(200);
    expect(links.body.items).toEqual([
      expect.objectContaining({
        code: 'anna-dusk',
        shortUrl: 'https://go.example.test/anna-dusk',
        merchantId: 'dusk',
      }),
    ]);
  });

  it('GET /v1/merchant shows its settings and no secret; POST /v1/merchant/secrets rotates as the operator does', async () => {
    const { apiKey } = await makeKey(MERCHANT_KEYS, { merchantId: 'dusk' });
    const own = await withKey(apiKey, 'GET', '/v1/merchant');
    expect(own.status).toBe(200);
    const operators = await asAdmin('GET', '/admin/merchants/{merchantId}', {
      pathParameters: { merchantId: 'dusk' },
    });
    expect(own.body).toEqual(operators.body);
    expect(JSON.stringify(own.body)).not.toMatch(/whsec_|sealed|webhookSecrets/);

    const rotated = await withKey(apiKey, 'POST', '/v1/merchant/secrets');
    expect(rotated.status).toBe(201);
    expect(rotated.body).toEqual({
      merchantId: 'dusk',
      webhookSecret: expect.stringMatching(/^whsec_/),
      previousSecretsValidUntil: expect.any(String),
    });
    const { liveWebhookSecrets } = await import('../../functions/common/crypto/webhook-secrets');
    const { merchantRepo } = await import('../../functions/common/repos/merchants');
    const merchant = await merchantRepo(configTable).get('dusk');
    if (!merchant) throw new Error('dusk is gone');
    const live = await liveWebhookSecrets(merchant, new Date());
    expect(live).toHaveLength(2);
    expect(live[0]).toBe(rotated.body.webhookSecret);
  });
});
