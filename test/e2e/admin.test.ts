/**
 * End to end, over real HTTP against `npm start`: the admin API for merchants, influencers and links
 * (CONTRACT §5), its conventions (§1: error shape, validation issues, 64 KiB bodies, a 4xx writes
 * nothing), `/healthz` and `/openapi.json` (§3).
 */

import { Webhook } from 'standardwebhooks';
import { z } from 'zod';
import {
  createInfluencer,
  createLink,
  createMerchant,
  influencerInput,
  merchantInput,
  SHOP_DOMAIN,
} from '../support/e2e-fixtures';
import {
  AdminClient,
  bodyOf,
  errorBodySchema,
  HttpClient,
  type HttpResponse,
  ID,
  influencerSchema,
  linkSchema,
  merchantCreatedSchema,
  merchantSchema,
  secretRotatedSchema,
  uniqueId,
  validationErrorSchema,
} from '../support/e2e-http';
import { type E2eRuntime, removeDataDir, startRuntime } from '../support/e2e-runtime';

let runtime: E2eRuntime;
let admin: AdminClient;
let anonymous: HttpClient;

beforeAll(async () => {
  runtime = await startRuntime();
  admin = new AdminClient(runtime.baseUrl, runtime.adminToken);
  anonymous = new HttpClient(runtime.baseUrl);
}, 90_000);

afterAll(async () => {
  if (!runtime) return;
  await runtime.stop();
  removeDataDir(runtime.dataDir);
}, 30_000);

const MAX_BODY = 64 * 1024;

/** The response is a contract error with this status and code, and returns it. */
function expectError(res: HttpResponse, status: number, code?: string) {
  expect({ status: res.status, body: res.text }).toEqual({ status, body: expect.any(String) });
  expect(res.headers.get('content-type') ?? '').toContain('application/json');
  const body = bodyOf(res, errorBodySchema);
  if (code) expect(body.error.code).toBe(code);
  return body;
}

/** A 400 with `issues`, one of which has exactly this path. */
function expectIssue(res: HttpResponse, path: string) {
  expect({ status: res.status, body: res.text }).toEqual({ status: 400, body: expect.any(String) });
  const body = bodyOf(res, validationErrorSchema);
  expect(body.error.issues.map((i) => i.path)).toContain(path);
  return body;
}

/** A JSON text of exactly `size` bytes: `value` padded with trailing spaces (still valid JSON). */
const paddedJson = (value: unknown, size: number) => {
  const text = JSON.stringify(value);
  if (Buffer.byteLength(text) > size) throw new Error('value too large to pad');
  return text + ' '.repeat(size - Buffer.byteLength(text));
};

describe('GET /healthz', () => {
  test('answers 200 {"status":"ok"} without a token', async () => {
    const res = await anonymous.get('/healthz');
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });
});

describe('GET /openapi.json', () => {
  const operationsSchema = z.object({
    openapi: z.string(),
    paths: z.record(z.string(), z.record(z.string(), z.unknown())),
  });

  /** `{merchantId}` and `{id}` are the same path to a client: compare templates without names. */
  const shape = (path: string) => path.replace(/\{[^}]+\}/g, '{}');

  test('is an OpenAPI 3.1 document with every admin, redirect and health route', async () => {
    const res = await anonymous.get('/openapi.json');
    expect(res.status).toBe(200);
    const doc = bodyOf(res, operationsSchema);
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${shape(path)}`),
    );
    for (const expected of [
      'POST /admin/merchants',
      'GET /admin/merchants/{}',
      'POST /admin/merchants/{}/secrets',
      'POST /admin/influencers',
      'POST /admin/links',
      'GET /admin/links/{}',
      'PATCH /admin/links/{}',
      'GET /{}',
      'HEAD /{}',
      'GET /healthz',
    ]) {
      expect(operations).toContain(expected);
    }
  });

  test('describes request bodies from the validating schemas', async () => {
    const doc = bodyOf(await anonymous.get('/openapi.json'), z.record(z.string(), z.unknown()));
    // Follow the $refs of the POST /admin/links body down to its properties.
    const resolve = (node: unknown): unknown => {
      const ref = z.object({ $ref: z.string() }).safeParse(node);
      if (!ref.success) return node;
      let target: unknown = doc;
      for (const part of ref.data.$ref.replace(/^#\//, '').split('/')) {
        target = z.record(z.string(), z.unknown()).parse(target)[part];
      }
      return resolve(target);
    };
    const bodySchemaOf = (path: string, method: string) => {
      const paths = z.record(z.string(), z.record(z.string(), z.unknown())).parse(doc.paths);
      const op = z
        .object({
          requestBody: z.object({
            content: z.object({ 'application/json': z.object({ schema: z.unknown() }) }),
          }),
        })
        .parse(paths[path]?.[method]);
      return z
        .object({ properties: z.record(z.string(), z.unknown()), required: z.array(z.string()) })
        .parse(resolve(op.requestBody.content['application/json'].schema));
    };
    const link = bodySchemaOf('/admin/links', 'post');
    expect(Object.keys(link.properties)).toEqual(
      expect.arrayContaining(['code', 'influencerId', 'merchantId', 'targetUrl', 'campaign']),
    );
    expect(link.required).toEqual(expect.arrayContaining(['influencerId', 'merchantId', 'targetUrl']));
    expect(link.required).not.toContain('code');
    const merchant = bodySchemaOf('/admin/merchants', 'post');
    expect(merchant.required).toEqual(
      expect.arrayContaining(['name', 'allowedDomains', 'currency', 'commission']),
    );
    const influencer = bodySchemaOf('/admin/influencers', 'post');
    expect(influencer.required).toEqual(expect.arrayContaining(['handle', 'name']));
  });
});

describe('admin authentication (401 on every /admin route)', () => {
  const contractRoutes: Array<[string, string]> = [
    ['POST', '/admin/merchants'],
    ['GET', '/admin/merchants/mer-abc'],
    ['POST', '/admin/merchants/mer-abc/secrets'],
    ['POST', '/admin/influencers'],
    ['GET', '/admin/influencers/inf-abc'],
    ['POST', '/admin/links'],
    ['GET', '/admin/links/code-abc'],
    ['PATCH', '/admin/links/code-abc'],
    ['GET', '/admin/clicks/01ARZ3NDEKTSV4RRFFQ69G5FAV'],
  ];

  const badCredentials = (): Array<[string, Record<string, string>]> => [
    ['no Authorization header', {}],
    ['a wrong bearer token', { authorization: 'Bearer not-the-token' }],
    ['the token with another scheme', { authorization: `Basic ${runtime.adminToken}` }],
    ['the token without a scheme', { authorization: runtime.adminToken }],
    ['an empty bearer token', { authorization: 'Bearer ' }],
    ['the token with an extra character', { authorization: `Bearer ${runtime.adminToken}x` }],
    ['a prefix of the token', { authorization: `Bearer ${runtime.adminToken.slice(0, -1)}` }],
  ];

  test.each(contractRoutes)('%s %s', async (method, path) => {
    for (const [label, headers] of badCredentials()) {
      const res = await anonymous.request(method, path, {
        headers,
        ...(method === 'GET' ? {} : { json: { disabled: true } }),
      });
      expect({ label, status: res.status }).toEqual({ label, status: 401 });
      expectError(res, 401);
    }
  });

  test('every /admin operation in the OpenAPI document refuses a request without the token', async () => {
    const doc = bodyOf(
      await anonymous.get('/openapi.json'),
      z.object({ paths: z.record(z.string(), z.record(z.string(), z.unknown())) }),
    );
    const adminOperations = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/admin/'))
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => [method.toUpperCase(), path] as const))
      .filter(([method]) => ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(method));
    expect(adminOperations.length).toBeGreaterThanOrEqual(contractRoutes.length - 1);
    for (const [method, template] of adminOperations) {
      const path = template.replace(/\{([^}]+)\}/g, (_, name: string) =>
        name.toLowerCase().includes('click') ? '01ARZ3NDEKTSV4RRFFQ69G5FAV' : 'abc-123',
      );
      const res = await anonymous.request(method, path, method === 'GET' ? {} : { json: {} });
      expect({ operation: `${method} ${template}`, status: res.status }).toEqual({
        operation: `${method} ${template}`,
        status: 401,
      });
    }
  });

  test('a refused request writes nothing', async () => {
    const merchantId = uniqueId('mer-unauth');
    const res = await anonymous.request('POST', '/admin/merchants', {
      json: merchantInput({ merchantId }),
      headers: { authorization: 'Bearer wrong' },
    });
    expectError(res, 401);
    expectError(await admin.get(`/admin/merchants/${merchantId}`), 404);

    const merchant = await createMerchant(admin);
    const influencer = await createInfluencer(admin);
    const link = await createLink(admin, {
      influencerId: influencer.influencerId,
      merchantId: merchant.merchantId,
      targetUrl: `https://${SHOP_DOMAIN}/p/1`,
    });
    const patch = await anonymous.request('PATCH', `/admin/links/${link.code}`, {
      json: { disabled: true },
      headers: { authorization: 'Bearer wrong' },
    });
    expectError(patch, 401);
    expect(bodyOf(await admin.get(`/admin/links/${link.code}`), linkSchema).disabled).toBe(false);
  });
});

describe('request bodies (CONTRACT §1)', () => {
  const bodyRoutes: Array<[string, () => string]> = [
    ['POST', () => '/admin/merchants'],
    ['POST', () => '/admin/influencers'],
    ['POST', () => '/admin/links'],
    ['PATCH', () => `/admin/links/${uniqueId('code')}`],
  ];

  test.each(bodyRoutes)('%s: malformed JSON is a 400 in the error shape', async (method, path) => {
    for (const body of ['{"name": ', 'not json', '{"a":1}}', '']) {
      const res = await admin.request(method, path(), { body });
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expectError(res, 400);
    }
  });

  test.each(bodyRoutes)('%s: a body over 64 KiB is 413 payload_too_large', async (method, path) => {
    const res = await admin.request(method, path(), { body: paddedJson({}, MAX_BODY + 1) });
    expectError(res, 413, 'payload_too_large');
    const huge = await admin.request(method, path(), { body: `"${'x'.repeat(200 * 1024)}"` });
    expectError(huge, 413, 'payload_too_large');
  });

  test('a valid body of exactly 64 KiB is accepted, one byte more is refused and writes nothing', async () => {
    const atLimit = merchantInput();
    const ok = await admin.request('POST', '/admin/merchants', { body: paddedJson(atLimit, MAX_BODY) });
    expect(ok.status).toBe(201);
    expect(bodyOf(ok, merchantCreatedSchema).merchantId).toBe(atLimit.merchantId);

    const overLimit = merchantInput();
    const refused = await admin.request('POST', '/admin/merchants', {
      body: paddedJson(overLimit, MAX_BODY + 1),
    });
    expectError(refused, 413, 'payload_too_large');
    expectError(await admin.get(`/admin/merchants/${overLimit.merchantId}`), 404);
  });

  test('a validation error lists every issue as {path, message}', async () => {
    const res = await admin.post('/admin/merchants', { name: '', currency: 'usd', allowedDomains: [] });
    const body = expectIssue(res, 'currency');
    const paths = body.error.issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['name', 'currency', 'allowedDomains', 'commission']));
  });

  test('a body that is JSON but not an object is a 400', async () => {
    for (const body of ['[]', '"text"', '42', 'null']) {
      const res = await admin.request('POST', '/admin/links', { body });
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expectError(res, 400);
    }
  });
});

describe('merchants', () => {
  test('POST /admin/merchants → 201 with the merchant, the defaults and a whsec_ secret shown once', async () => {
    const input = merchantInput();
    const res = await admin.post('/admin/merchants', input);
    expect(res.status).toBe(201);
    const merchant = bodyOf(res, merchantCreatedSchema);
    expect(merchant).toMatchObject({
      merchantId: input.merchantId,
      name: input.name,
      allowedDomains: [SHOP_DOMAIN],
      currency: 'USD',
      clickIdParam: 'clk',
      attributionModel: 'last_click',
      attributionWindowDays: 30,
      holdDays: 30,
      commission: { defaultBps: 500, categoryBps: { beauty: 1000 } },
    });
    expect(merchant.webhookSecret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
    const key = Buffer.from(merchant.webhookSecret.slice('whsec_'.length), 'base64');
    expect(key.length).toBeGreaterThanOrEqual(16);

    const read = await admin.get(`/admin/merchants/${input.merchantId}`);
    expect(read.status).toBe(200);
    const stored = bodyOf(read, merchantSchema);
    expect(stored).toMatchObject({ merchantId: input.merchantId, clickIdParam: 'clk', currency: 'USD' });
    expect(read.text).not.toContain('whsec_');
    expect(read.text).not.toContain(merchant.webhookSecret.slice('whsec_'.length));
    expect(Object.keys(stored).some((k) => k.toLowerCase().includes('secret'))).toBe(false);
  });

  test('explicit settings are kept', async () => {
    const input = merchantInput({
      allowedDomains: ['shop.example.com', 'Store.Example.ORG'],
      currency: 'EUR',
      clickIdParam: 'ref_id',
      attributionModel: 'linear',
      attributionWindowDays: 7,
      holdDays: 0,
    });
    const merchant = bodyOf(await admin.post('/admin/merchants', input), merchantCreatedSchema);
    expect(merchant).toMatchObject({
      currency: 'EUR',
      clickIdParam: 'ref_id',
      attributionModel: 'linear',
      attributionWindowDays: 7,
      holdDays: 0,
    });
    expect(merchant.allowedDomains.map((d) => d.toLowerCase())).toEqual([
      'shop.example.com',
      'store.example.org',
    ]);
  });

  test('without merchantId an id is generated', async () => {
    const { merchantId: _omitted, ...input } = merchantInput();
    const res = await admin.post('/admin/merchants', input);
    expect(res.status).toBe(201);
    const merchant = bodyOf(res, merchantCreatedSchema);
    expect(merchant.merchantId).toMatch(ID);
    expect((await admin.get(`/admin/merchants/${merchant.merchantId}`)).status).toBe(200);
  });

  test('a taken merchantId is a 409 and the first merchant is unchanged', async () => {
    const first = await createMerchant(admin);
    const res = await admin.post(
      '/admin/merchants',
      merchantInput({ merchantId: first.merchantId, name: 'Other' }),
    );
    expectError(res, 409);
    expect(bodyOf(await admin.get(`/admin/merchants/${first.merchantId}`), merchantSchema).name).toBe(
      first.name,
    );
  });

  test('GET of an unknown merchant is a 404', async () => {
    expectError(await admin.get(`/admin/merchants/${uniqueId('nobody')}`), 404);
  });

  test('POST /admin/merchants/{id}/secrets returns a new, different secret each time', async () => {
    const merchant = await createMerchant(admin);
    const rotate = () => admin.request('POST', `/admin/merchants/${merchant.merchantId}/secrets`);
    const first = await rotate();
    expect([200, 201]).toContain(first.status);
    const second = await rotate();
    expect([200, 201]).toContain(second.status);
    const secrets = [
      merchant.webhookSecret,
      bodyOf(first, secretRotatedSchema).webhookSecret,
      bodyOf(second, secretRotatedSchema).webhookSecret,
    ];
    for (const secret of secrets) expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
    expect(new Set(secrets).size).toBe(3);
    const read = await admin.get(`/admin/merchants/${merchant.merchantId}`);
    for (const secret of secrets) expect(read.text).not.toContain(secret.slice('whsec_'.length));
  });

  test('after a rotation the new secret and the previous one both verify webhooks; others do not', async () => {
    const merchant = await createMerchant(admin);
    const rotated = await admin.request('POST', `/admin/merchants/${merchant.merchantId}/secrets`);
    const newSecret = bodyOf(rotated, secretRotatedSchema).webhookSecret;
    const deliver = (secret: string) => {
      const body = JSON.stringify({
        type: 'order.created',
        orderId: uniqueId('order'),
        occurredAt: new Date().toISOString(),
        currency: 'USD',
        lines: [{ sku: 'SKU-1', quantity: 1, unitPriceMinor: 1000 }],
      });
      const id = `msg_${uniqueId('rot')}`;
      const signature = new Webhook(secret).sign(id, new Date(), body);
      return anonymous.request('POST', `/webhooks/${merchant.merchantId}/orders`, {
        body,
        headers: {
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
          'webhook-signature': signature,
        },
      });
    };
    for (const secret of [merchant.webhookSecret, newSecret]) {
      const res = await deliver(secret);
      expect({ status: res.status, body: res.text }).toEqual({ status: 202, body: expect.any(String) });
    }
    const forged = await deliver(`whsec_${Buffer.from('not the merchant secret!').toString('base64')}`);
    expectError(forged, 401, 'invalid_signature');
  });

  test('rotating the secret of an unknown merchant is a 404', async () => {
    expectError(await admin.request('POST', `/admin/merchants/${uniqueId('nobody')}/secrets`), 404);
  });

  test.each<[string, Record<string, unknown>, string]>([
    ['missing name', { name: undefined }, 'name'],
    ['empty name', { name: '' }, 'name'],
    ['lower-case currency', { currency: 'usd' }, 'currency'],
    ['four-letter currency', { currency: 'USDT' }, 'currency'],
    ['missing currency', { currency: undefined }, 'currency'],
    ['no allowed domain', { allowedDomains: [] }, 'allowedDomains'],
    ['an allowed domain with a scheme', { allowedDomains: ['https://shop.example.com'] }, 'allowedDomains.0'],
    ['an allowed domain with a path', { allowedDomains: ['shop.example.com/x'] }, 'allowedDomains.0'],
    ['allowedDomains not an array', { allowedDomains: 'shop.example.com' }, 'allowedDomains'],
    ['missing commission', { commission: undefined }, 'commission'],
    ['bps above 10 000', { commission: { defaultBps: 10_001 } }, 'commission.defaultBps'],
    ['negative bps', { commission: { defaultBps: -1 } }, 'commission.defaultBps'],
    ['fractional bps', { commission: { defaultBps: 5.5 } }, 'commission.defaultBps'],
    ['bps as a string', { commission: { defaultBps: '500' } }, 'commission.defaultBps'],
    [
      'a category bps above 10 000',
      { commission: { defaultBps: 1, categoryBps: { a: 20_000 } } },
      'commission.categoryBps.a',
    ],
    ['a merchantId with a space', { merchantId: 'has space' }, 'merchantId'],
    ['a merchantId of 2 characters', { merchantId: 'ab' }, 'merchantId'],
    ['a merchantId of 65 characters', { merchantId: 'm'.repeat(65) }, 'merchantId'],
    ['a merchantId with a slash', { merchantId: 'a/b/c' }, 'merchantId'],
    ['an unknown attribution model', { attributionModel: 'most_clicks' }, 'attributionModel'],
    ['a zero attribution window', { attributionWindowDays: 0 }, 'attributionWindowDays'],
    ['a fractional hold', { holdDays: 1.5 }, 'holdDays'],
    ['an integer beyond 2^53 - 1', { holdDays: 2 ** 53 }, 'holdDays'],
  ])('%s is a 400 at the right path, and writes nothing', async (_label, overrides, path) => {
    const merchantId = typeof overrides.merchantId === 'string' ? overrides.merchantId : uniqueId('mer');
    const input = merchantInput({ ...overrides, merchantId });
    const res = await admin.post('/admin/merchants', input);
    expectIssue(res, path);
    if (ID.test(merchantId)) expectError(await admin.get(`/admin/merchants/${merchantId}`), 404);
  });
});

describe('influencers', () => {
  test('POST /admin/influencers → 201 with the influencer and defaults', async () => {
    const couponCodes = ['ANNA10'.concat(uniqueId('').replace(/-/g, ''))];
    const input = influencerInput({ couponCodes });
    const res = await admin.post('/admin/influencers', input);
    expect(res.status).toBe(201);
    const influencer = bodyOf(res, influencerSchema);
    expect(influencer).toMatchObject({
      influencerId: input.influencerId,
      handle: input.handle,
      name: input.name,
      payoutMinimumMinor: 1000,
      couponCodes,
    });
  });

  test('without influencerId an id is generated; explicit payoutMinimumMinor is kept', async () => {
    const { influencerId: _omitted, ...input } = influencerInput({ payoutMinimumMinor: 5000 });
    const res = await admin.post('/admin/influencers', input);
    expect(res.status).toBe(201);
    const influencer = bodyOf(res, influencerSchema);
    expect(influencer.influencerId).toMatch(ID);
    expect(influencer.payoutMinimumMinor).toBe(5000);
  });

  test('a coupon code taken by another influencer, in another case, is a 409 that writes nothing', async () => {
    const coupon = `Anna${uniqueId('').replace(/-/g, '')}`;
    await createInfluencer(admin, { couponCodes: [coupon] });
    for (const variant of [coupon, coupon.toUpperCase(), coupon.toLowerCase()]) {
      const fresh = 'FRESH'.concat(uniqueId('').replace(/-/g, ''));
      const loser = influencerInput({ couponCodes: [fresh, variant] });
      const res = await admin.post('/admin/influencers', loser);
      expectError(res, 409);
      // Nothing was written: not the influencer, not its handle, not its other coupon.
      expectError(await admin.get(`/admin/influencers/${loser.influencerId}`), 404);
      const retry = await admin.post('/admin/influencers', {
        ...loser,
        couponCodes: [fresh],
      });
      expect(retry.status).toBe(201);
    }
  });

  test('a taken handle is a 409 that writes nothing', async () => {
    const first = await createInfluencer(admin);
    const coupon = `C${uniqueId('').replace(/-/g, '')}`;
    const second = influencerInput({ handle: first.handle, couponCodes: [coupon] });
    expectError(await admin.post('/admin/influencers', second), 409);
    expectError(await admin.get(`/admin/influencers/${second.influencerId}`), 404);
    // The coupon of the refused request is still free.
    expect((await admin.post('/admin/influencers', influencerInput({ couponCodes: [coupon] }))).status).toBe(
      201,
    );
  });

  test('a taken influencerId is a 409', async () => {
    const first = await createInfluencer(admin);
    expectError(
      await admin.post('/admin/influencers', influencerInput({ influencerId: first.influencerId })),
      409,
    );
  });

  test('the same coupon twice in one request (in two cases) is refused and writes nothing', async () => {
    const coupon = `Dup${uniqueId('').replace(/-/g, '')}`;
    const input = influencerInput({ couponCodes: [coupon, coupon.toLowerCase()] });
    const res = await admin.post('/admin/influencers', input);
    expect([400, 409]).toContain(res.status);
    expectError(res, res.status);
    expectError(await admin.get(`/admin/influencers/${input.influencerId}`), 404);
  });

  test.each<[string, Record<string, unknown>, string]>([
    ['missing handle', { handle: undefined }, 'handle'],
    ['missing name', { name: undefined }, 'name'],
    ['a handle with a space', { handle: 'has space' }, 'handle'],
    ['a negative payout minimum', { payoutMinimumMinor: -1 }, 'payoutMinimumMinor'],
    ['a fractional payout minimum', { payoutMinimumMinor: 10.5 }, 'payoutMinimumMinor'],
    ['a payout minimum beyond 2^53 - 1', { payoutMinimumMinor: 2 ** 53 }, 'payoutMinimumMinor'],
    ['couponCodes not an array', { couponCodes: 'ANNA10' }, 'couponCodes'],
    ['a coupon code with a space', { couponCodes: ['ANNA 10'] }, 'couponCodes.0'],
    ['an influencerId of 2 characters', { influencerId: 'ab' }, 'influencerId'],
  ])('%s is a 400 at the right path', async (_label, overrides, path) => {
    const input = influencerInput(overrides);
    expectIssue(await admin.post('/admin/influencers', input), path);
    if (ID.test(input.influencerId))
      expectError(await admin.get(`/admin/influencers/${input.influencerId}`), 404);
  });
});

describe('links', () => {
  let merchantId: string;
  let otherMerchantId: string;
  let influencerId: string;
  let otherInfluencerId: string;

  beforeAll(async () => {
    merchantId = (await createMerchant(admin)).merchantId;
    otherMerchantId = (await createMerchant(admin, { allowedDomains: ['other-shop.example.net'] }))
      .merchantId;
    influencerId = (await createInfluencer(admin)).influencerId;
    otherInfluencerId = (await createInfluencer(admin)).influencerId;
  });

  const linkInput = (overrides: Record<string, unknown> = {}) => ({
    code: uniqueId('lnk'),
    influencerId,
    merchantId,
    targetUrl: `https://${SHOP_DOMAIN}/products/red-shoes?color=red#reviews`,
    ...overrides,
  });

  /** The link was not created: neither the admin API nor the redirect knows the code. */
  async function expectNoLink(code: unknown) {
    if (typeof code !== 'string' || !ID.test(code)) return;
    expectError(await admin.get(`/admin/links/${code}`), 404);
    expect((await anonymous.get(`/${code}`)).status).toBe(404);
  }

  test('POST /admin/links → 201 {code, shortUrl, ...}; GET returns the same link', async () => {
    const input = linkInput({ campaign: 'spring-sale' });
    const res = await admin.post('/admin/links', input);
    expect(res.status).toBe(201);
    const link = bodyOf(res, linkSchema);
    expect(link).toMatchObject({
      code: input.code,
      shortUrl: `${runtime.baseUrl}/${input.code}`,
      influencerId,
      merchantId,
      targetUrl: input.targetUrl,
      campaign: 'spring-sale',
      disabled: false,
    });
    const read = await admin.get(`/admin/links/${input.code}`);
    expect(read.status).toBe(200);
    expect(bodyOf(read, linkSchema)).toEqual(link);
  });

  test('without a code one is generated, valid and not reserved, and it redirects', async () => {
    const { code: _omitted, ...input } = linkInput();
    const codes = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const res = await admin.post('/admin/links', input);
      expect(res.status).toBe(201);
      const link = bodyOf(res, linkSchema);
      expect(link.code).toMatch(ID);
      expect(['healthz', 'admin', 'webhooks', 'openapi', 's']).not.toContain(link.code.toLowerCase());
      expect(link.shortUrl).toBe(`${runtime.baseUrl}/${link.code}`);
      codes.add(link.code);
    }
    expect(codes.size).toBe(3);
    const [first = ''] = codes;
    const hit = await anonymous.get(`/${first}`, {
      'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/125.0',
    });
    expect(hit.status).toBe(302);
    expect(hit.location?.host).toBe(SHOP_DOMAIN);
  });

  test('a taken code is a 409, also for another influencer, and the first link is unchanged', async () => {
    const first = await createLink(admin, linkInput());
    const again = await admin.post(
      '/admin/links',
      linkInput({
        code: first.code,
        influencerId: otherInfluencerId,
        targetUrl: `https://${SHOP_DOMAIN}/other`,
      }),
    );
    expectError(again, 409);
    expect(bodyOf(await admin.get(`/admin/links/${first.code}`), linkSchema)).toMatchObject({
      influencerId,
      targetUrl: first.targetUrl,
    });
  });

  test('an unknown influencer or merchant is a 404 that writes nothing', async () => {
    for (const overrides of [
      { influencerId: uniqueId('nobody') },
      { merchantId: uniqueId('nobody') },
      { influencerId: uniqueId('nobody'), merchantId: uniqueId('nobody') },
    ]) {
      const input = linkInput(overrides);
      expectError(await admin.post('/admin/links', input), 404);
      await expectNoLink(input.code);
    }
  });

  test('the target must be on the link merchant’s domains, not another merchant’s', async () => {
    const input = linkInput({ merchantId: otherMerchantId });
    expectIssue(await admin.post('/admin/links', input), 'targetUrl');
    await expectNoLink(input.code);
    const ok = await admin.post(
      '/admin/links',
      linkInput({ merchantId: otherMerchantId, targetUrl: 'https://other-shop.example.net/x' }),
    );
    expect(ok.status).toBe(201);
  });

  test.each([
    ['http', `http://${SHOP_DOMAIN}/products/1`],
    ['javascript', 'javascript:alert(document.cookie)'],
    ['JavaScript in capitals', 'JAVASCRIPT:alert(1)'],
    ['data', 'data:text/html,<script>alert(1)</script>'],
    ['data base64', 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='],
    ['ftp', `ftp://${SHOP_DOMAIN}/file`],
    ['scheme-relative', `//${SHOP_DOMAIN}/products/1`],
    ['relative path', '/products/1'],
    ['not a URL', 'shop example com'],
    ['another domain', 'https://www.evil.test/products/1'],
    ['a look-alike prefix', 'https://evilshop.example.com/products/1'],
    ['a look-alike suffix', `https://${SHOP_DOMAIN}.evil.test/products/1`],
    ['the parent domain', 'https://example.com/products/1'],
    ['a sibling subdomain', 'https://www.example.com/products/1'],
    ['credentials making evil.test the host', `https://${SHOP_DOMAIN}@evil.test/products/1`],
    ['a backslash trick', `https://evil.test\\@${SHOP_DOMAIN}/`],
    ['an empty string', ''],
  ])('target %s: a 400 with an issue at targetUrl, and nothing written', async (_label, targetUrl) => {
    const input = linkInput({ targetUrl });
    expectIssue(await admin.post('/admin/links', input), 'targetUrl');
    await expectNoLink(input.code);
  });

  test.each([
    ['the allowed domain itself', `https://${SHOP_DOMAIN}/products/1`],
    ['a subdomain', `https://m.${SHOP_DOMAIN}/products/1`],
    ['a deeper subdomain', `https://eu.m.${SHOP_DOMAIN}/p?x=1#top`],
    ['upper-case host', `https://SHOP.EXAMPLE.COM/products/1`],
    ['an explicit port', `https://${SHOP_DOMAIN}:8443/products/1`],
  ])('%s is a valid target (201)', async (_label, targetUrl) => {
    const res = await admin.post('/admin/links', linkInput({ targetUrl }));
    expect(res.status).toBe(201);
    expect(new URL(bodyOf(res, linkSchema).targetUrl).protocol).toBe('https:');
  });

  test.each(['healthz', 'admin', 's', 'openapi', 'webhooks'])(
    'the reserved code "%s" is a 400 at code',
    async (code) => {
      expectIssue(await admin.post('/admin/links', linkInput({ code })), 'code');
      // Never a link: unknown (404), or not even a well-formed code ("s" is too short: 400).
      expectError(await admin.get(`/admin/links/${code}`), code.length < 3 ? 400 : 404);
    },
  );

  test.each([
    ['2 characters', 'ab'],
    ['65 characters', 'c'.repeat(65)],
    ['a space', 'has space'],
    ['a dot', 'dot.code'],
    ['a slash', 'a/b/c'],
    ['a non-ASCII letter', 'grüße'],
    ['a percent sign', 'abc%20'],
    ['an empty string', ''],
    ['a number', 12345],
  ])('a code with %s is a 400 at code', async (_label, code) => {
    const input = linkInput({ code });
    expectIssue(await admin.post('/admin/links', input), 'code');
    await expectNoLink(input.code);
  });

  test.each([
    ['3 characters', () => `${uniqueId('').slice(-2)}x`.replace(/^-/, 'y')],
    ['64 characters', () => uniqueId('k').padEnd(64, '_')],
    ['underscores and dashes', () => `_${uniqueId('a-b')}_`],
  ])('a code of %s is accepted', async (_label, code) => {
    const chosen = code();
    expect(chosen).toMatch(ID);
    const res = await admin.post('/admin/links', linkInput({ code: chosen }));
    expect(res.status).toBe(201);
    expect(bodyOf(res, linkSchema).code).toBe(chosen);
  });

  test.each<[string, Record<string, unknown>, string]>([
    ['missing targetUrl', { targetUrl: undefined }, 'targetUrl'],
    ['missing influencerId', { influencerId: undefined }, 'influencerId'],
    ['missing merchantId', { merchantId: undefined }, 'merchantId'],
    ['targetUrl not a string', { targetUrl: 42 }, 'targetUrl'],
  ])('%s is a 400 at the right path', async (_label, overrides, path) => {
    const input = linkInput(overrides);
    expectIssue(await admin.post('/admin/links', input), path);
    await expectNoLink(input.code);
  });

  test('GET of an unknown code is a 404', async () => {
    expectError(await admin.get(`/admin/links/${uniqueId('nolink')}`), 404);
  });

  test('PATCH {disabled} → 200 with the link; invalid bodies are 400 and change nothing', async () => {
    const link = await createLink(admin, linkInput());
    const path = `/admin/links/${link.code}`;
    for (const body of [{ disabled: 'true' }, { disabled: 1 }, {}, { disabled: null }]) {
      const res = await admin.patch(path, body);
      expectIssue(res, 'disabled');
    }
    expect(bodyOf(await admin.get(path), linkSchema).disabled).toBe(false);

    const disabled = await admin.patch(path, { disabled: true });
    expect(disabled.status).toBe(200);
    expect(bodyOf(disabled, linkSchema)).toMatchObject({
      code: link.code,
      disabled: true,
      targetUrl: link.targetUrl,
    });
    expect(bodyOf(await admin.get(path), linkSchema).disabled).toBe(true);

    const enabled = await admin.patch(path, { disabled: false });
    expect(enabled.status).toBe(200);
    expect(bodyOf(enabled, linkSchema).disabled).toBe(false);
  });

  test('PATCH of an unknown code is a 404 and does not create it', async () => {
    const code = uniqueId('nolink');
    expectError(await admin.patch(`/admin/links/${code}`, { disabled: true }), 404);
    await expectNoLink(code);
  });
});
