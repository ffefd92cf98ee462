/**
 * Event endpoints against DynamoDB Local (CONTRACT §12): made by the operator or a merchant with a
 * signing secret shown once and stored only sealed; URLs held to the address rules (400
 * `invalid_endpoint`, nothing written); a merchant's scoped to itself; bounded per owner and in all;
 * and the repository the event pipeline reads them through.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { Webhook } from 'standardwebhooks';
import { context, httpEvent } from '../support/events';
import type { HttpHandler } from '../support/handlers';
import { useTestStores } from '../support/stores';

let admin: HttpHandler;
let selfService: HttpHandler;
let configTable: string;
let repo: import('../../functions/common/repos/endpoints').EndpointRepo;
const keys: Record<string, string> = {};

type Opts = Partial<Parameters<typeof httpEvent>[0]>;
const parse = (res: { statusCode: number; body?: string }) => ({
  status: res.statusCode,
  body: res.body ? JSON.parse(res.body) : undefined,
});
const asAdmin = async (method: string, route: string, opts: Opts = {}) =>
  parse(await admin(httpEvent({ method, route, admin: true, ...opts }), context()));
const asMerchant = async (merchantId: string, method: string, route: string, opts: Opts = {}) =>
  parse(
    await selfService(
      httpEvent({ method, route, headers: { authorization: `Bearer ${keys[merchantId]}` }, ...opts }),
      context('selfService'),
    ),
  );

const ENDPOINTS = '/admin/endpoints';
const ENDPOINT = '/admin/endpoints/{endpointId}';
const MY_ENDPOINTS = '/v1/merchant/endpoints';
const MY_ENDPOINT = '/v1/merchant/endpoints/{endpointId}';

const scanConfig = async () => {
  const { dynamo } = await import('../../functions/common/clients/aws');
  return (await dynamo().send(new ScanCommand({ TableName: configTable }))).Items ?? [];
};

const makeEndpoint = async (body: Record<string, unknown>) => {
  const res = await asAdmin('POST', ENDPOINTS, { body: { events: ['order.credited'], ...body } });
  expect(res.status).toBe(201);
  return res.body as { endpointId: string; url: string; secret: string; createdAt: string };
};

beforeAll(async () => {
  const stores = await useTestStores('endpoints');
  configTable = stores.tables.config;
  admin = (await import('../../functions/admin/handler')).handler as HttpHandler;
  selfService = (await import('../../functions/self-service/handler')).handler as HttpHandler;
  repo = (await import('../../functions/common/repos/endpoints')).endpointRepo(configTable);
  for (const merchantId of ['glow', 'dusk', 'full', 'wide']) {
    const made = await asAdmin('POST', '/admin/merchants', {
      body: {
        merchantId,
        name: `Shop ${merchantId}`,
        allowedDomains: [`${merchantId}.example.com`],
        currency: 'EUR',
        commission: { defaultBps: 1_000 },
      },
    });
    expect(made.status).toBe(201);
    const key = await asAdmin('POST', '/admin/merchants/{merchantId}/api-keys', {
      pathParameters: { merchantId },
      body: { name: 'events' },
    });
    keys[merchantId] = key.body.apiKey;
  }
  for (const influencerId of ['anna', 'ben']) {
    const made = await asAdmin('POST', '/admin/influencers', {
      body: { influencerId, handle: influencerId, name: influencerId },
    });
    expect(made.status).toBe(201);
  }
  // Anna is in glow's program; ben is in none.
  const enrolled = await asAdmin('PUT', '/admin/merchants/{merchantId}/influencers/{influencerId}', {
    pathParameters: { merchantId: 'glow', influencerId: 'anna' },
    body: {},
  });
  expect(enrolled.status).toBe(200);
});

describe("the operator's endpoints", () => {
  it('makes an endpoint with a Standard Webhooks secret shown once and stored only sealed', async () => {
    const res = await asAdmin('POST', ENDPOINTS, {
      body: {
        url: 'https://hooks.example.com/creditlink',
        events: ['order.credited', 'payout.settled'],
        merchantId: 'glow',
        description: 'Accounting',
      },
    });
    expect(res.status).toBe(201);
    const made = res.body;
    expect(made).toEqual({
      endpointId: expect.stringMatching(/^end_[A-Za-z0-9]{12}$/),
      url: 'https://hooks.example.com/creditlink',
      events: ['order.credited', 'payout.settled'],
      merchantId: 'glow',
      description: 'Accounting',
      createdAt: expect.any(String),
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{32}$/),
    });
    // 24 random bytes at least.
    expect(Buffer.from(made.secret.slice('whsec_'.length), 'base64').length).toBeGreaterThanOrEqual(24);

    const stored = JSON.stringify(await scanConfig());
    expect(stored).not.toContain(made.secret);
    expect(stored).not.toContain(made.secret.slice('whsec_'.length));

    // Never shown again.
    const read = await asAdmin('GET', ENDPOINT, { pathParameters: { endpointId: made.endpointId } });
    const { secret: _secret, ...withoutSecret } = made;
    expect(read).toEqual({ status: 200, body: withoutSecret });
    const listed = await asAdmin('GET', ENDPOINTS);
    expect(listed.body.items).toContainEqual(withoutSecret);
    expect(JSON.stringify(listed.body)).not.toContain('whsec_');
    expect(JSON.stringify(listed.body)).not.toContain('sealed');

    // The pipeline opens the same secret, and the spec's own library signs and verifies with it.
    const secret = await repo.signingSecret(made.endpointId);
    expect(secret).toBe(made.secret);
    const payload = '{"type":"order.credited"}';
    const at = new Date();
    const signature = new Webhook(made.secret).sign('evt_1', at, payload);
    const headers = {
      'webhook-id': 'evt_1',
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signature,
    };
    expect(new Webhook(secret ?? '').verify(payload, headers)).toEqual({ type: 'order.credited' });
  });

  it('stores the URL in the normal form that is checked and contacted', async () => {
    const made = await makeEndpoint({ url: 'https://HOOKS.Example.COM:443/a/../events' });
    expect(made.url).toBe('https://hooks.example.com/events');
  });

  // These tests run as the local runtime does (CONTRACT §2): only 127.0.0.1 and localhost are let in.
  test.each([
    'http://hooks.example.com/',
    'https://169.254.169.254/latest/meta-data/',
    'https://2852039166/',
    'https://0x7f.2/',
    'https://[::1]/',
    'https://[::ffff:10.0.0.1]/',
    'https://10.0.0.1/',
    'https://api.localhost/',
    'https://user:pw@hooks.example.com/',
    'https://intranet/',
    'http://10.0.0.1:8080/',
    'not a url',
  ])('refuses %s with 400 invalid_endpoint, writing nothing', async (url) => {
    const before = await scanConfig();
    const res = await asAdmin('POST', ENDPOINTS, { body: { url, events: ['payout.created'] } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_endpoint', issues: [{ path: 'url' }] });
    expect(await scanConfig()).toEqual(before);
  });

  it('accepts a subscriber on this machine over http, as the local runtime does', async () => {
    for (const url of ['http://127.0.0.1:4555/hook', 'http://localhost:4555/hook']) {
      expect((await makeEndpoint({ url })).url).toBe(url);
    }
  });

  test.each([
    [{ events: [] }, 'events'],
    [{ events: ['order.credited', 'order.credited'] }, 'events'],
    [{ events: ['order.shipped'] }, 'events.0'],
    [{ events: ['order.credited'], merchantId: 'not valid' }, 'merchantId'],
    [{ events: ['order.credited'], secret: 'whsec_mine' }, ''],
  ])('refuses the body %o with 400 invalid_body at %s, writing nothing', async (body, path) => {
    const before = await scanConfig();
    const res = await asAdmin('POST', ENDPOINTS, { body: { url: 'https://hooks.example.com/', ...body } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_body');
    expect(res.body.error.issues.map((i: { path: string }) => i.path)).toContain(path);
    expect(await scanConfig()).toEqual(before);
  });

  it('answers 404 for an unknown merchant or influencer, writing nothing', async () => {
    const before = await scanConfig();
    for (const scope of [
      { merchantId: 'nobody' },
      { influencerId: 'nobody' },
      { merchantId: 'glow', influencerId: 'nobody' },
    ]) {
      const res = await asAdmin('POST', ENDPOINTS, {
        body: { url: 'https://hooks.example.com/', events: ['order.credited'], ...scope },
      });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    expect(await scanConfig()).toEqual(before);
  });

  it('scopes to an influencer, or to a merchant and an influencer together (enrolled or not)', async () => {
    const influencer = await makeEndpoint({ url: 'https://a.example.com/', influencerId: 'anna' });
    expect(influencer).toMatchObject({ influencerId: 'anna' });
    expect(influencer).not.toHaveProperty('merchantId');
    const pair = await makeEndpoint({
      url: 'https://b.example.com/',
      merchantId: 'dusk',
      influencerId: 'ben',
    });
    expect(pair).toMatchObject({ merchantId: 'dusk', influencerId: 'ben' });
  });

  it('deletes an endpoint (204), then 404; the pipeline no longer finds it', async () => {
    const made = await makeEndpoint({ url: 'https://gone.example.com/' });
    const path = { pathParameters: { endpointId: made.endpointId } };
    expect((await asAdmin('DELETE', ENDPOINT, path)).status).toBe(204);
    expect((await asAdmin('DELETE', ENDPOINT, path)).status).toBe(404);
    expect((await asAdmin('GET', ENDPOINT, path)).status).toBe(404);
    expect(await repo.get(made.endpointId)).toBeUndefined();
    expect(await repo.signingSecret(made.endpointId)).toBeUndefined();
    expect((await repo.listAll()).map((e) => e.endpointId)).not.toContain(made.endpointId);
    expect(JSON.stringify(await scanConfig())).not.toContain(made.endpointId);
  });
});

describe("a merchant's own endpoints", () => {
  it("makes them for itself only: its own merchantId is fine, another's is 400", async () => {
    const made = await asMerchant('glow', 'POST', MY_ENDPOINTS, {
      body: { url: 'https://glow-hooks.example.com/', events: ['order.unattributed'] },
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ merchantId: 'glow', secret: expect.stringMatching(/^whsec_/) });
    const own = await asMerchant('glow', 'POST', MY_ENDPOINTS, {
      body: { url: 'https://glow-hooks.example.com/2', events: ['order.credited'], merchantId: 'glow' },
    });
    expect(own.status).toBe(201);

    const before = await scanConfig();
    const foreign = await asMerchant('glow', 'POST', MY_ENDPOINTS, {
      body: { url: 'https://glow-hooks.example.com/', events: ['order.credited'], merchantId: 'dusk' },
    });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error).toMatchObject({ code: 'invalid_body', issues: [{ path: 'merchantId' }] });
    const badUrl = await asMerchant('glow', 'POST', MY_ENDPOINTS, {
      body: { url: 'https://192.168.0.1/', events: ['order.credited'] },
    });
    expect(badUrl.body.error.code).toBe('invalid_endpoint');
    expect(await scanConfig()).toEqual(before);
  });

  it('scopes to an influencer of its program only: another is 404 whether it exists or not', async () => {
    const enrolled = await asMerchant('glow', 'POST', MY_ENDPOINTS, {
      body: { url: 'https://glow-hooks.example.com/anna', events: ['order.credited'], influencerId: 'anna' },
    });
    expect(enrolled.status).toBe(201);
    expect(enrolled.body).toMatchObject({ merchantId: 'glow', influencerId: 'anna' });
    const before = await scanConfig();
    for (const influencerId of ['ben', 'nobody']) {
      const res = await asMerchant('glow', 'POST', MY_ENDPOINTS, {
        body: { url: 'https://glow-hooks.example.com/x', events: ['order.credited'], influencerId },
      });
      expect(res.status).toBe(404);
    }
    expect(await scanConfig()).toEqual(before);
  });

  it("lists, reads and deletes only its own: another merchant's endpoint is 404 and stays", async () => {
    const glows = await asMerchant('glow', 'POST', MY_ENDPOINTS, {
      body: { url: 'https://glow-hooks.example.com/mine', events: ['payout.created'] },
    });
    const path = { pathParameters: { endpointId: glows.body.endpointId } };
    const operators = await makeEndpoint({ url: 'https://ops.example.com/' });

    const listed = await asMerchant('glow', 'GET', MY_ENDPOINTS);
    expect(listed.status).toBe(200);
    expect(listed.body.items.length).toBeGreaterThan(0);
    expect(listed.body.items.every((e: { merchantId?: string }) => e.merchantId === 'glow')).toBe(true);
    expect(JSON.stringify(listed.body)).not.toContain('whsec_');
    // Dusk sees none of glow's, nor the one the operator made for dusk: the operator's are its own.
    const dusks = (await asMerchant('dusk', 'GET', MY_ENDPOINTS)).body.items;
    expect(dusks).toEqual([]);

    expect((await asMerchant('dusk', 'GET', MY_ENDPOINT, path)).status).toBe(404);
    expect((await asMerchant('dusk', 'DELETE', MY_ENDPOINT, path)).status).toBe(404);
    expect(
      (await asMerchant('glow', 'GET', MY_ENDPOINT, { pathParameters: { endpointId: operators.endpointId } }))
        .status,
    ).toBe(404);
    expect((await asMerchant('glow', 'GET', MY_ENDPOINT, path)).body).toMatchObject({ merchantId: 'glow' });

    expect((await asMerchant('glow', 'DELETE', MY_ENDPOINT, path)).status).toBe(204);
    expect((await asMerchant('glow', 'GET', MY_ENDPOINT, path)).status).toBe(404);
  });
});

describe('bounds', () => {
  it('allows 20 endpoints per merchant, even when made at once, and refuses more with 409', async () => {
    const made = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        asMerchant('full', 'POST', MY_ENDPOINTS, {
          body: { url: `https://full.example.com/${i}`, events: ['order.credited'] },
        }),
      ),
    );
    expect(made.filter((r) => r.status === 201)).toHaveLength(20);
    expect(made.filter((r) => r.status !== 201).map((r) => [r.status, r.body.error.code])).toEqual(
      Array(4).fill([409, 'endpoint_limit']),
    );
    const listed = await asMerchant('full', 'GET', MY_ENDPOINTS);
    expect(listed.body.items).toHaveLength(20);
    // The operator's endpoint for the merchant counts too.
    expect(
      (
        await asAdmin('POST', ENDPOINTS, {
          body: { url: 'https://x.example.com/', events: ['order.credited'], merchantId: 'full' },
        })
      ).status,
    ).toBe(409);

    // Deleting one frees a place.
    const first = listed.body.items[0].endpointId;
    expect(
      (await asMerchant('full', 'DELETE', MY_ENDPOINT, { pathParameters: { endpointId: first } })).status,
    ).toBe(204);
    expect(
      (
        await asMerchant('full', 'POST', MY_ENDPOINTS, {
          body: { url: 'https://full.example.com/again', events: ['order.credited'] },
        })
      ).status,
    ).toBe(201);
  });

  it("counts a merchant's own endpoints against the merchant only, not against the influencer they name", async () => {
    expect(
      (
        await asAdmin('PUT', '/admin/merchants/{merchantId}/influencers/{influencerId}', {
          pathParameters: { merchantId: 'wide', influencerId: 'ben' },
          body: {},
        })
      ).status,
    ).toBe(200);
    const made = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        asMerchant('wide', 'POST', MY_ENDPOINTS, {
          body: { url: `https://wide.example.com/${i}`, events: ['order.credited'], influencerId: 'ben' },
        }),
      ),
    );
    expect(made.map((r) => r.status)).toEqual(Array(20).fill(201));
    // Ben's places are the operator's to use whatever wide made.
    const forBen = await asAdmin('POST', ENDPOINTS, {
      body: { url: 'https://ops.example.com/ben', events: ['payout.created'], influencerId: 'ben' },
    });
    expect(forBen.status).toBe(201);
  });

  it('allows 500 endpoints in all, and the pipeline reads every one of them', async () => {
    const { MAX_ENDPOINTS } = await import('../../functions/common/repos/endpoints');
    const existing = (await repo.listAll()).length;
    for (let i = existing; i < MAX_ENDPOINTS; i += 10) {
      const batch = Array.from({ length: Math.min(10, MAX_ENDPOINTS - i) }, (_, j) =>
        asAdmin('POST', ENDPOINTS, {
          body: { url: `https://many.example.com/${i + j}`, events: ['payout.created'] },
        }),
      );
      for (const res of await Promise.all(batch)) expect(res.status).toBe(201);
    }
    const all = await repo.listAll();
    expect(all).toHaveLength(MAX_ENDPOINTS);
    expect(all.every((e) => !('sealedSecret' in e))).toBe(true);
    const before = await scanConfig();
    const over = await asAdmin('POST', ENDPOINTS, {
      body: { url: 'https://one-more.example.com/', events: ['payout.created'] },
    });
    expect(over.status).toBe(409);
    expect(over.body.error.code).toBe('endpoint_limit');
    expect(await scanConfig()).toEqual(before);
    const listed = await asAdmin('GET', ENDPOINTS);
    expect(listed.body.items).toHaveLength(MAX_ENDPOINTS);
  });
});
