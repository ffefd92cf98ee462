/**
 * The authorization matrix (CONTRACT §5, §11): every route of the manifest, driven through its own
 * handler against real data on DynamoDB Local, with every kind of credential, must answer the
 * status written by hand in the table below. The paths name party A's resources (merchant A,
 * influencer A, A's link, A's storefront, A's keys). A route without a row fails, and so does a row
 * without a route: adding a route means deciding, here, who may call it.
 *
 * Body routes get `{}`: a credential that passes authentication then meets the body's schema (400),
 * which tells "let in" from "kept out" without changing any data.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { requireEnv } from '../../functions/common/config/env';
import { functions, type RouteSpec, routes } from '../../lib/wiring';
import { BROWSER_UA, context, httpEvent } from '../support/events';
import type { HttpHandler } from '../support/handlers';
import { TEST_ADMIN_TOKEN, useTestStores } from '../support/stores';

const CREDENTIALS = [
  'none',
  'wrong',
  'admin',
  'merchantA',
  'merchantB',
  'influencerA',
  'influencerB',
  'deletedKey',
] as const;
type Credential = (typeof CREDENTIALS)[number];

// biome-ignore format: one row per route, one column per credential, aligned so it reads as a table
const expected: Record<string, readonly number[]> = {
  //                       none wrong admin  mA   mB   iA   iB  deleted
  health:                 [200, 200,  200,  200, 200, 200, 200, 200],
  openApiDocument:        [200, 200,  200,  200, 200, 200, 200, 200],
  followLink:             [302, 302,  302,  302, 302, 302, 302, 302],
  checkLink:              [302, 302,  302,  302, 302, 302, 302, 302],
  // Public to the adapter; unsigned, so every caller is a bad signature.
  receiveOrderWebhook:    [401, 401,  401,  401, 401, 401, 401, 401],
  createMerchant:         [401, 401,  400,  401, 401, 401, 401, 401],
  getMerchant:            [401, 401,  200,  401, 401, 401, 401, 401],
  rotateMerchantSecret:   [401, 401,  201,  401, 401, 401, 401, 401],
  // `{}` is a valid enrollment (no terms): A stays enrolled as it was.
  putEnrollment:          [401, 401,  200,  401, 401, 401, 401, 401],
  getEnrollment:          [401, 401,  200,  401, 401, 401, 401, 401],
  deleteEnrollment:       [401, 401,  204,  401, 401, 401, 401, 401],
  listEnrollments:        [401, 401,  200,  401, 401, 401, 401, 401],
  createInfluencer:       [401, 401,  400,  401, 401, 401, 401, 401],
  getInfluencer:          [401, 401,  200,  401, 401, 401, 401, 401],
  createLink:             [401, 401,  400,  401, 401, 401, 401, 401],
  getLink:                [401, 401,  200,  401, 401, 401, 401, 401],
  updateLink:             [401, 401,  400,  401, 401, 401, 401, 401],
  getClick:               [401, 401,  404,  401, 401, 401, 401, 401],
  getOrder:               [401, 401,  404,  401, 401, 401, 401, 401],
  putStorefront:          [401, 401,  400,  401, 401, 401, 401, 401],
  getStorefront:          [401, 401,  200,  401, 401, 401, 401, 401],
  createMerchantApiKey:   [401, 401,  400,  401, 401, 401, 401, 401],
  listMerchantApiKeys:    [401, 401,  200,  401, 401, 401, 401, 401],
  deleteMerchantApiKey:   [401, 401,  204,  401, 401, 401, 401, 401],
  createInfluencerApiKey: [401, 401,  400,  401, 401, 401, 401, 401],
  listInfluencerApiKeys:  [401, 401,  200,  401, 401, 401, 401, 401],
  deleteInfluencerApiKey: [401, 401,  204,  401, 401, 401, 401, 401],
  viewStorefront:         [200, 200,  200,  200, 200, 200, 200, 200],
  checkStorefront:        [200, 200,  200,  200, 200, 200, 200, 200],
  startPayoutRun:         [401, 401,  400,  401, 401, 401, 401, 401],
  getPayoutRun:           [401, 401,  404,  401, 401, 401, 401, 401],
  getStatement:           [401, 401,  404,  401, 401, 401, 401, 401],
  settlePayout:           [401, 401,  400,  401, 401, 401, 401, 401],
  influencerReport:       [401, 401,  200,  401, 401, 401, 401, 401],
  merchantReport:         [401, 401,  200,  401, 401, 401, 401, 401],
  attributionModelComparison: [401, 401,  200,  401, 401, 401, 401, 401],
  getMe:                  [401, 401,  403,  403, 403, 200, 200, 401],
  listMyLinks:            [401, 401,  403,  403, 403, 200, 200, 401],
  getMyMerchant:          [401, 401,  403,  200, 200, 403, 403, 401],
  rotateMyWebhookSecret:  [401, 401,  403,  201, 201, 403, 403, 401],
  // QR codes and the portal: no route takes a bearer credential for a session (the portal's cookie).
  getMyLinkQr:            [401, 401,  403,  403, 403, 200, 404, 401],
  getLinkQr:              [401, 401,  200,  401, 401, 401, 401, 401],
  createLoginLink:        [401, 401,  201,  401, 401, 401, 401, 401],
  openLoginLink:          [401, 401,  401,  401, 401, 401, 401, 401],
  viewPortal:             [401, 401,  401,  401, 401, 401, 401, 401],
  createPortalLink:       [401, 401,  401,  401, 401, 401, 401, 401],
  signOut:                [401, 401,  401,  401, 401, 401, 401, 401],
  portalLinkQr:           [401, 401,  401,  401, 401, 401, 401, 401],
  portalStatement:        [401, 401,  401,  401, 401, 401, 401, 401],
  // Self-service on the parties' own data: B on A's link, storefront, order or enrollment is 404
  // (a handle of A's is 409 to B, as the contract has it); each body is in `bodies` below.
  createMyLink:           [401, 401,  403,  403, 403, 409, 404, 401],
  updateMyLink:           [401, 401,  403,  403, 403, 200, 404, 401],
  getMyReport:            [401, 401,  403,  403, 403, 200, 200, 401],
  listMyCredits:          [401, 401,  403,  403, 403, 200, 200, 401],
  listMyPayouts:          [401, 401,  403,  403, 403, 200, 200, 401],
  getMyStatement:         [401, 401,  403,  403, 403, 404, 404, 401],
  putMyStorefront:        [401, 401,  403,  403, 403, 200, 409, 401],
  getMyStorefront:        [401, 401,  403,  403, 403, 200, 404, 401],
  getMyOrder:             [401, 401,  403,  200, 404, 403, 403, 401],
  listMyInfluencers:      [401, 401,  403,  200, 200, 403, 403, 401],
  putMyInfluencer:        [401, 401,  403,  200, 200, 403, 403, 401],
  getMyInfluencer:        [401, 401,  403,  200, 404, 403, 403, 401],
  deleteMyInfluencer:     [401, 401,  403,  204, 404, 403, 403, 401],
  getMyMerchantReport:    [401, 401,  403,  200, 200, 403, 403, 401],
  getMyModelComparison:   [401, 401,  403,  200, 200, 403, 403, 401],
  // Event endpoints: A's endpoint is merchant A's; B's key on it is 404 (as if it did not exist).
  createEndpoint:         [401, 401,  400,  401, 401, 401, 401, 401],
  listEndpoints:          [401, 401,  200,  401, 401, 401, 401, 401],
  getEndpoint:            [401, 401,  200,  401, 401, 401, 401, 401],
  deleteEndpoint:         [401, 401,  204,  401, 401, 401, 401, 401],
  createMyEndpoint:       [401, 401,  403,  400, 400, 403, 403, 401],
  listMyEndpoints:        [401, 401,  403,  200, 200, 403, 403, 401],
  getMyEndpoint:          [401, 401,  403,  200, 404, 403, 403, 401],
  deleteMyEndpoint:       [401, 401,  403,  204, 404, 403, 403, 401],
  // A delivery of A's endpoint: its log and a retry, the operator's and merchant A's only.
  listEndpointDeliveries: [401, 401,  200,  401, 401, 401, 401, 401],
  retryEndpointDelivery:  [401, 401,  202,  401, 401, 401, 401, 401],
  listMyEndpointDeliveries: [401, 401, 403, 200, 404, 403, 403, 401],
  retryMyEndpointDelivery: [401, 401, 403,  202, 404, 403, 403, 401],
};

/** Party A's resources, named in every path. */
const A = {
  merchantId: 'mx-a',
  influencerId: 'ix-a',
  code: 'mx-a-link',
  handle: 'mx-a-front',
  clickId: '01JD0000000000000000000000',
  orderId: 'mx-a-order',
  period: '2026-11',
  payoutId: '2026-11#ix-a#USD',
  keyId: '',
  endpointId: '',
  eventId: 'evt_01KBDMAT0000000000000000AA',
  token: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
};
/** What a route deletes is its own, so the other rows keep their data whatever the order. */
const pathOverrides: Record<string, Record<string, string>> = {
  deleteEnrollment: { influencerId: 'ix-a-leaving' },
  deleteMerchantApiKey: { keyId: '' },
  deleteInfluencerApiKey: { keyId: '' },
  deleteEndpoint: { endpointId: '' },
  deleteMyEndpoint: { endpointId: '' },
  // Self-service: an order of A's own, and enrollments of A's that these rows may change or end.
  getMyOrder: { orderId: 'mx-a-own-order' },
  putMyInfluencer: { influencerId: 'ix-a-leaving' },
  deleteMyInfluencer: { influencerId: 'ix-a-quitting' },
};
/**
 * Bodies that pass the schema, so that a key let in meets the scope: A's own code again is taken
 * (409) for A, while B is not enrolled with A's merchant (404); a storefront without items is A's
 * to replace and B's conflict.
 */
const bodies: Record<string, unknown> = {
  createMyLink: { merchantId: 'mx-a', targetUrl: 'https://mx-a.example.com/again', code: 'mx-a-link' },
  updateMyLink: { disabled: false },
  putMyStorefront: { title: 'A', items: [] },
};
const queries: Record<string, string> = {
  getPayoutRun: 'period=2026-11',
  influencerReport: 'from=2026-11-01&to=2026-11-30',
  merchantReport: 'from=2026-11-01&to=2026-11-30',
  attributionModelComparison: 'from=2026-11-01&to=2026-11-30',
};

const handlers = new Map<string, HttpHandler>();
const bearer: Partial<Record<Credential, string>> = { wrong: 'not-a-credential', admin: TEST_ADMIN_TOKEN };

const paramNames = (route: RouteSpec) =>
  [...route.path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1] ?? '');

async function call(
  route: RouteSpec,
  credential: Credential,
  overrides: Partial<Parameters<typeof httpEvent>[0]> = {},
) {
  const handler = handlers.get(route.fn);
  if (!handler) throw new Error(`No handler loaded for ${route.fn}`);
  const values: Record<string, string> = { ...A, ...pathOverrides[route.id] };
  const pathParameters = Object.fromEntries(paramNames(route).map((name) => [name, values[name] ?? '']));
  const token = bearer[credential];
  const event: APIGatewayProxyEventV2 = httpEvent({
    method: route.method,
    route: route.path,
    pathParameters,
    headers: { 'user-agent': BROWSER_UA, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(queries[route.id] ? { query: queries[route.id] } : {}),
    ...(route.body ? { body: bodies[route.id] ?? {} } : {}),
    ...overrides,
  });
  return handler(event, context(route.fn));
}

const adminCall = (fn: string, id: string, opts: Partial<Parameters<typeof httpEvent>[0]>) => {
  const route = routes.find((r) => r.fn === fn && r.id === id);
  if (!route) throw new Error(`no route ${fn}.${id}`);
  return call(route, 'admin', opts);
};

async function created(fn: string, id: string, opts: Partial<Parameters<typeof httpEvent>[0]>) {
  const res = await adminCall(fn, id, opts);
  if (res.statusCode >= 300) throw new Error(`${id} answered ${res.statusCode}: ${res.body}`);
  return res.body ? JSON.parse(res.body) : undefined;
}

const makeKey = async (kind: 'merchant' | 'influencer', ownerId: string) => {
  const param: Record<string, string> =
    kind === 'merchant' ? { merchantId: ownerId } : { influencerId: ownerId };
  const id = kind === 'merchant' ? 'createMerchantApiKey' : 'createInfluencerApiKey';
  return (await created('admin', id, { pathParameters: param, body: { name: 'matrix' } })) as {
    keyId: string;
    apiKey: string;
  };
};

beforeAll(async () => {
  await useTestStores('matrix');
  for (const fn of new Set(routes.map((r) => r.fn))) {
    const entry = functions[fn].entry.replace(/\.ts$/, '');
    handlers.set(fn, (await import(`../../${entry}`)).handler as HttpHandler);
  }
  for (const merchantId of ['mx-a', 'mx-b']) {
    await created('admin', 'createMerchant', {
      body: {
        merchantId,
        name: merchantId,
        allowedDomains: [`${merchantId}.example.com`],
        currency: 'USD',
        commission: { defaultBps: 500 },
      },
    });
  }
  for (const influencerId of ['ix-a', 'ix-b', 'ix-a-leaving', 'ix-a-quitting']) {
    await created('admin', 'createInfluencer', {
      body: { influencerId, handle: influencerId, name: influencerId },
    });
  }
  // A's link enrolls influencer A with merchant A; another enrollment is there to be deleted.
  await created('admin', 'createLink', {
    body: { code: A.code, influencerId: 'ix-a', merchantId: 'mx-a', targetUrl: 'https://mx-a.example.com/p' },
  });
  await created('admin', 'createLink', {
    body: {
      code: 'mx-b-link',
      influencerId: 'ix-b',
      merchantId: 'mx-b',
      targetUrl: 'https://mx-b.example.com/p',
    },
  });
  await created('admin', 'putEnrollment', {
    pathParameters: { merchantId: 'mx-a', influencerId: 'ix-a-leaving' },
    body: {},
  });
  await created('admin', 'putEnrollment', {
    pathParameters: { merchantId: 'mx-a', influencerId: 'ix-a-quitting' },
    body: {},
  });
  // An order of A's, accepted and not yet processed: enough for its view.
  const { orderRepo, transact } = await import('../../functions/common/repos/orders');
  const orders = orderRepo(requireEnv('ORDERS_TABLE_NAME'));
  await transact([
    orders.acceptedStub({
      merchantId: 'mx-a',
      orderId: 'mx-a-own-order',
      currency: 'USD',
      occurredAt: '2026-11-03T14:05:00.000Z',
      amountMinor: 1000,
    }),
  ]);
  await created('admin', 'putStorefront', {
    pathParameters: { handle: A.handle },
    body: { influencerId: 'ix-a', title: 'A', items: [{ code: A.code, title: 'Item' }] },
  });

  bearer.merchantA = (await makeKey('merchant', 'mx-a')).apiKey;
  bearer.merchantB = (await makeKey('merchant', 'mx-b')).apiKey;
  bearer.influencerA = (await makeKey('influencer', 'ix-a')).apiKey;
  bearer.influencerB = (await makeKey('influencer', 'ix-b')).apiKey;
  // A key of A's that was deleted before it was ever used (a cached key is covered in api-keys.test.ts).
  const deleted = await makeKey('merchant', 'mx-a');
  await created('admin', 'deleteMerchantApiKey', {
    pathParameters: { merchantId: 'mx-a', keyId: deleted.keyId },
  });
  bearer.deletedKey = deleted.apiKey;
  // A's keys named in the paths, and the ones its delete routes delete.
  A.keyId = (await makeKey('merchant', 'mx-a')).keyId;
  (pathOverrides.deleteMerchantApiKey as Record<string, string>).keyId = (
    await makeKey('merchant', 'mx-a')
  ).keyId;
  (pathOverrides.deleteInfluencerApiKey as Record<string, string>).keyId = (
    await makeKey('influencer', 'ix-a')
  ).keyId;
  // A's event endpoint named in the paths (merchant A's own, which its key may manage), and the
  // ones the delete routes delete.
  const makeEndpoint = async () => {
    const route = routes.find((r) => r.id === 'createMyEndpoint');
    if (!route) throw new Error('no route createMyEndpoint');
    const res = await call(route, 'merchantA', {
      body: { url: 'https://hooks.mx-a.example.com/events', events: ['order.credited'] },
    });
    if (res.statusCode !== 201) throw new Error(`createMyEndpoint answered ${res.statusCode}: ${res.body}`);
    return (JSON.parse(res.body ?? '{}') as { endpointId: string }).endpointId;
  };
  A.endpointId = await makeEndpoint();
  // An event delivered to it, for the log and the retry.
  const { deliveryRepo } = await import('../../functions/common/repos/deliveries');
  await deliveryRepo(requireEnv('DELIVERIES_TABLE_NAME')).createIfAbsent(
    { endpointId: A.endpointId, eventId: A.eventId, type: 'order.credited', body: '{}' },
    new Date(),
  );
  (pathOverrides.deleteEndpoint as Record<string, string>).endpointId = await makeEndpoint();
  (pathOverrides.deleteMyEndpoint as Record<string, string>).endpointId = await makeEndpoint();
});

describe('the authorization matrix', () => {
  it('has a row for every route of the manifest, and no row without a route', () => {
    expect(Object.keys(expected).sort()).toEqual(routes.map((r) => r.id).sort());
    for (const row of Object.values(expected)) expect(row).toHaveLength(CREDENTIALS.length);
  });

  test.each(routes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s', async (_, route) => {
    const row = expected[route.id];
    if (!row) throw new Error(`Add a row for the route "${route.id}" to the authorization matrix.`);
    const got: Record<string, number> = {};
    const want: Record<string, number> = {};
    for (const [i, credential] of CREDENTIALS.entries()) {
      // A delete succeeds once: its admin call comes last, so the others meet the same data.
      if (route.method === 'DELETE' && credential === 'admin') continue;
      got[credential] = (await call(route, credential)).statusCode;
      want[credential] = row[i] ?? 0;
    }
    if (route.method === 'DELETE') {
      got.admin = (await call(route, 'admin')).statusCode;
      want.admin = row[CREDENTIALS.indexOf('admin')] ?? 0;
    }
    expect(got).toEqual(want);
  });
});

describe('refusals and scope', () => {
  const selfRoute = (id: string) => {
    const route = routes.find((r) => r.id === id);
    if (!route) throw new Error(`no route ${id}`);
    return route;
  };

  it('answers 401 unauthorized and 403 forbidden in the contract shape, saying nothing about the key', async () => {
    const unknown = await call(selfRoute('getMe'), 'deletedKey');
    const none = await call(selfRoute('getMe'), 'none');
    expect(JSON.parse(unknown.body ?? '{}')).toEqual(JSON.parse(none.body ?? '{}'));
    expect(JSON.parse(unknown.body ?? '{}').error.code).toBe('unauthorized');
    const otherKind = await call(selfRoute('getMe'), 'merchantA');
    const adminToken = await call(selfRoute('getMe'), 'admin');
    expect(JSON.parse(otherKind.body ?? '{}')).toEqual(JSON.parse(adminToken.body ?? '{}'));
    expect(JSON.parse(otherKind.body ?? '{}').error.code).toBe('forbidden');
    // On /admin a key is just not the admin token.
    const keyOnAdmin = await call(selfRoute('getMerchant'), 'merchantA');
    expect(JSON.parse(keyOnAdmin.body ?? '{}').error.code).toBe('unauthorized');
  });

  it("shows each key its own party only: B never sees A's links, programs or settings", async () => {
    const meB = JSON.parse((await call(selfRoute('getMe'), 'influencerB')).body ?? '{}');
    expect(meB.influencerId).toBe('ix-b');
    expect(meB.programs.map((p: { merchantId: string }) => p.merchantId)).toEqual(['mx-b']);
    const linksB = JSON.parse((await call(selfRoute('listMyLinks'), 'influencerB')).body ?? '{}');
    expect(linksB.items.map((l: { code: string }) => l.code)).toEqual(['mx-b-link']);
    const linksA = JSON.parse((await call(selfRoute('listMyLinks'), 'influencerA')).body ?? '{}');
    expect(linksA.items.map((l: { code: string }) => l.code)).toEqual([A.code]);
    const merchantB = JSON.parse((await call(selfRoute('getMyMerchant'), 'merchantB')).body ?? '{}');
    expect(merchantB.merchantId).toBe('mx-b');
  });

  it('takes no owner from the request: a path or query naming A changes nothing for B', async () => {
    const res = await call(selfRoute('getMyMerchant'), 'merchantB', {
      pathParameters: { merchantId: 'mx-a' },
      query: 'merchantId=mx-a',
    });
    expect(JSON.parse(res.body ?? '{}').merchantId).toBe('mx-b');
  });
});
