/**
 * End to end, over real HTTP against `npm start`: signed order webhooks (CONTRACT §4), their
 * attribution (§6) and commission (§7), read back through `GET /admin/orders/{merchantId}/{orderId}`
 * (§5). Webhooks are signed as a shop signs them, with the `standardwebhooks` library (and once with
 * plain node crypto, the maths of the README's curl + openssl recipe). Where the admin API has no
 * route to prove a count (one credit, not two) or that an event was processed, the test reads the
 * tables of the DynamoDB Local that `npm start` runs.
 *
 * The last test kills the whole `npm start` process group with SIGKILL right after its 202s and
 * starts it again on the same DATA_DIR: every accepted order must still be credited, exactly once.
 */
import { createHmac } from 'node:crypto';
import {
  clickThrough,
  createInfluencer,
  createLink,
  createMerchant,
  postWebhook,
  SHOP_DOMAIN,
  waitForOrder,
} from '../support/e2e-fixtures';
import {
  AdminClient,
  BROWSER_UA,
  bodyOf,
  errorBodySchema,
  HttpClient,
  type HttpResponse,
  IPHONE_UA,
  type OrderView,
  pollUntil,
  uniqueId,
  validationErrorSchema,
  webhookAcceptedSchema,
} from '../support/e2e-http';
import { type E2eRuntime, removeDataDir, scanTable, startRuntime } from '../support/e2e-runtime';
import { signHeaders } from '../support/webhooks';

let runtime: E2eRuntime;
let admin: AdminClient;
/** The shop's side: no user agent of a browser, no cookies. */
let shop: HttpClient;

interface MerchantFixture {
  merchantId: string;
  secret: string;
}
/** last_click; 5 % by default, 10 % on `beauty`. */
let lastClickShop: MerchantFixture;
/** linear; 10 % on everything. */
let linearShop: MerchantFixture;
/** Another merchant, for its secret. */
let otherShop: MerchantFixture;

let anna: string;
let ben: string;
let carl: string;
let carlCoupon: string;
/** anna's link at lastClickShop. */
let annaLink: string;
/** A click of a shopper on anna's link, used by the orders that need any valid click. */
let annaClick: string;

const started: E2eRuntime[] = [];

beforeAll(async () => {
  runtime = await startRuntime();
  started.push(runtime);
  admin = new AdminClient(runtime.baseUrl, runtime.adminToken);
  shop = new HttpClient(runtime.baseUrl);

  const fixture = async (overrides: Record<string, unknown>): Promise<MerchantFixture> => {
    const merchant = await createMerchant(admin, overrides);
    return { merchantId: merchant.merchantId, secret: merchant.webhookSecret };
  };
  [lastClickShop, linearShop, otherShop] = await Promise.all([
    fixture({ commission: { defaultBps: 500, categoryBps: { beauty: 1000 } } }),
    fixture({ attributionModel: 'linear', commission: { defaultBps: 1000 } }),
    fixture({}),
  ]);
  carlCoupon = uniqueId('CARL').toUpperCase();
  const [a, b, c] = await Promise.all([
    createInfluencer(admin),
    createInfluencer(admin),
    createInfluencer(admin, { couponCodes: [carlCoupon] }),
  ]);
  [anna, ben, carl] = [a.influencerId, b.influencerId, c.influencerId];
  annaLink = await newLink(anna, lastClickShop.merchantId);
  annaClick = await clickThrough(browser(), annaLink);
}, 90_000);

afterAll(async () => {
  await Promise.all(started.map((r) => r.stop('SIGKILL')));
  if (runtime) removeDataDir(runtime.dataDir);
}, 30_000);

const browser = (userAgent = BROWSER_UA) => new HttpClient(runtime.baseUrl, { 'user-agent': userAgent });

async function newLink(influencerId: string, merchantId: string): Promise<string> {
  const link = await createLink(admin, {
    code: uniqueId('ord'),
    influencerId,
    merchantId,
    targetUrl: `https://${SHOP_DOMAIN}/products/serum`,
  });
  return link.code;
}

interface Line {
  sku: string;
  category?: string;
  quantity: number;
  unitPriceMinor: number;
}

/** Two beauty units at 25.00 and one other at 10.00: 550 at lastClickShop (500 + 50). */
const BASKET: Line[] = [
  { sku: 'SKU-1', category: 'beauty', quantity: 2, unitPriceMinor: 2500 },
  { sku: 'SKU-2', quantity: 1, unitPriceMinor: 1000 },
];

function orderCreated(orderId: string, extra: Record<string, unknown> = {}, lines: Line[] = BASKET) {
  return {
    type: 'order.created',
    orderId,
    occurredAt: new Date().toISOString(),
    currency: 'USD',
    lines,
    ...extra,
  };
}

const refunded = (orderId: string, lines: Array<{ sku: string; quantity: number }>) => ({
  type: 'order.refunded',
  orderId,
  occurredAt: new Date().toISOString(),
  lines,
});

const cancelled = (orderId: string) => ({
  type: 'order.cancelled',
  orderId,
  occurredAt: new Date().toISOString(),
});

const send = (merchant: MerchantFixture, body: unknown, options?: Parameters<typeof postWebhook>[4]) =>
  postWebhook(shop, merchant.merchantId, merchant.secret, body, options);

function expectAccepted(res: HttpResponse, status: 'accepted' | 'duplicate' = 'accepted') {
  expect({ status: res.status, body: res.text }).toEqual({ status: 202, body: expect.any(String) });
  const body = bodyOf(res, webhookAcceptedSchema);
  expect(body.status).toBe(status);
  return body;
}

const orderPath = (merchantId: string, orderId: string) => `/admin/orders/${merchantId}/${orderId}`;

/** Sends an event and waits until it has been applied (its inbox item says processed). */
async function sendAndProcess(merchant: MerchantFixture, body: unknown): Promise<void> {
  const id = `msg_${uniqueId('evt')}`;
  expectAccepted(await send(merchant, body, { id }));
  await waitProcessed(merchant.merchantId, id);
}

/** The webhook inbox has no admin route; a processed webhook's item has a `processedAt`. */
async function waitProcessed(merchantId: string, webhookId: string): Promise<void> {
  const item = await pollUntil(
    async () =>
      (await scanTable(runtime, 'inbox')).find((i) => i.pk === `WEBHOOK#${merchantId}#${webhookId}`),
    (found) => typeof found?.processedAt === 'string',
    20_000,
    100,
  );
  expect({ webhookId, processedAt: item?.processedAt }).toEqual({
    webhookId,
    processedAt: expect.any(String),
  });
}

/** How many credit items the order has in the orders table (the view shows one per influencer). */
async function storedCredits(merchantId: string, orderId: string): Promise<number> {
  const items = await scanTable(runtime, 'orders');
  return items.filter(
    (i) => i.merchantId === merchantId && i.orderId === orderId && String(i.sk).startsWith('CREDIT#'),
  ).length;
}

const sumOf = (view: OrderView) => view.attributions.reduce((sum, a) => sum + a.commissionMinor, 0);

describe('an order with a click id', () => {
  test('202 accepted, then credited to the click, the commission rounded once per order', async () => {
    const shopper = browser();
    const clickId = await clickThrough(shopper, annaLink);
    const orderId = uniqueId('A');
    // 100.5 + 100.5 + 149.85 = 350.85 → 351 when rounded once; 101 + 101 + 150 = 352 per line.
    const lines: Line[] = [
      { sku: 'SERUM', category: 'beauty', quantity: 1, unitPriceMinor: 1005 },
      { sku: 'CREAM', category: 'beauty', quantity: 1, unitPriceMinor: 1005 },
      { sku: 'BRUSH', quantity: 3, unitPriceMinor: 999 },
    ];
    const webhookId = `msg_${uniqueId('first')}`;
    const res = await send(lastClickShop, orderCreated(orderId, { clickId }, lines), { id: webhookId });
    expect(expectAccepted(res)).toEqual({ status: 'accepted', webhookId });

    const view = await waitForOrder(admin, lastClickShop.merchantId, orderId);
    expect(view).toMatchObject({
      orderId,
      status: 'credited',
      currency: 'USD',
      amountMinor: 1005 + 1005 + 3 * 999,
      commissionMinor: 351,
      attributions: [
        {
          influencerId: anna,
          clickId,
          weightBps: 10_000,
          commissionMinor: 351,
          status: 'unpaid',
          method: 'last_click',
          clickAgeSeconds: expect.any(Number),
        },
      ],
    });
    expect(view.attributions).toHaveLength(1);
    expect(view.attributions[0]?.clickAgeSeconds).toBeLessThan(120);
    expect(view.unattributedReason).toBeUndefined();
  });

  test('the same webhook-id again is 202 duplicate; another delivery of the order credits nothing more', async () => {
    const clickId = await clickThrough(browser(), annaLink);
    const orderId = uniqueId('A');
    const body = orderCreated(orderId, { clickId });
    const webhookId = `msg_${uniqueId('dup')}`;
    expectAccepted(await send(lastClickShop, body, { id: webhookId }));
    const first = await waitForOrder(admin, lastClickShop.merchantId, orderId);
    expect(first).toMatchObject({ status: 'credited', commissionMinor: 550 });

    // The sender retries: same id, signed again a moment later (and the byte-identical request too).
    const again = await send(lastClickShop, body, { id: webhookId });
    expectAccepted(again, 'duplicate');
    const raw = JSON.stringify(body);
    const replay = await send(lastClickShop, raw, {
      id: webhookId,
      timestamp: Math.floor(Date.now() / 1000) - 5,
    });
    expectAccepted(replay, 'duplicate');

    // The shop sends the same order under a new webhook-id: accepted, processed, and still one credit.
    const otherId = `msg_${uniqueId('dup')}`;
    expectAccepted(await send(lastClickShop, body, { id: otherId }));
    await waitProcessed(lastClickShop.merchantId, otherId);

    const after = await waitForOrder(admin, lastClickShop.merchantId, orderId);
    expect(after).toEqual(first);
    expect(await storedCredits(lastClickShop.merchantId, orderId)).toBe(1);
  });

  test("a visitor's journey through two influencers' links, model linear: weights add up per influencer, the split is exact", async () => {
    const [a1, a2, a3, b1] = await Promise.all([
      newLink(anna, linearShop.merchantId),
      newLink(anna, linearShop.merchantId),
      newLink(anna, linearShop.merchantId),
      newLink(ben, linearShop.merchantId),
    ]);
    // One visitor (one cookie jar): anna, anna, ben, anna: 4 clicks of 2 500 bps each.
    const shopper = browser(IPHONE_UA);
    const clicks: string[] = [];
    for (const code of [a1, a2, b1, a3]) clicks.push(await clickThrough(shopper, code));
    const [, , benClick, lastClick] = clicks;

    const orderId = uniqueId('J');
    // 10 010 + 2 × 1 000 = 12 010 at 10 % → 1 201: 7 500 bps → 900.75, 2 500 bps → 300.25;
    // the largest remainder gives anna the odd unit: 901 + 300.
    const lines: Line[] = [
      { sku: 'BAG', quantity: 1, unitPriceMinor: 10_010 },
      { sku: 'STRAP', quantity: 2, unitPriceMinor: 1000 },
    ];
    expectAccepted(await send(linearShop, orderCreated(orderId, { clickId: lastClick }, lines)));
    const view = await waitForOrder(admin, linearShop.merchantId, orderId);
    expect(view).toMatchObject({ status: 'credited', amountMinor: 12_010, commissionMinor: 1201 });
    const byInfluencer = Object.fromEntries(view.attributions.map((a) => [a.influencerId, a]));
    expect(byInfluencer).toEqual({
      [anna]: expect.objectContaining({
        weightBps: 7500,
        commissionMinor: 901,
        clickId: lastClick,
        method: 'linear',
        status: 'unpaid',
      }),
      [ben]: expect.objectContaining({
        weightBps: 2500,
        commissionMinor: 300,
        clickId: benClick,
        method: 'linear',
        status: 'unpaid',
      }),
    });
    expect(sumOf(view)).toBe(view.commissionMinor);

    // One strap back: 11 010 → 1 101 = 825.75 + 275.25 → 826 + 275; still exact.
    await sendAndProcess(linearShop, refunded(orderId, [{ sku: 'STRAP', quantity: 1 }]));
    const after = await waitForOrder(admin, linearShop.merchantId, orderId);
    expect(after).toMatchObject({ amountMinor: 11_010, commissionMinor: 1101 });
    expect(after.attributions.map((a) => [a.influencerId, a.commissionMinor])).toEqual(
      expect.arrayContaining([
        [anna, 826],
        [ben, 275],
      ]),
    );
    expect(sumOf(after)).toBe(1101);
  });
});

describe('no usable click', () => {
  test('a coupon code credits its influencer 100 %, matched case-insensitively', async () => {
    const orderId = uniqueId('C');
    expectAccepted(
      await send(lastClickShop, orderCreated(orderId, { couponCode: carlCoupon.toLowerCase() })),
    );
    // An unknown click id does not stop the coupon either.
    const withUnknownClick = uniqueId('C');
    expectAccepted(
      await send(
        lastClickShop,
        orderCreated(withUnknownClick, { clickId: '01ARZ3NDEKTSV4RRFFQ69G5FAV', couponCode: carlCoupon }),
      ),
    );
    for (const id of [orderId, withUnknownClick]) {
      const view = await waitForOrder(admin, lastClickShop.merchantId, id);
      expect(view).toMatchObject({
        status: 'credited',
        commissionMinor: 550,
        attributions: [
          { influencerId: carl, weightBps: 10_000, commissionMinor: 550, status: 'unpaid', method: 'coupon' },
        ],
      });
      expect(view.attributions).toHaveLength(1);
      expect(view.attributions[0]?.clickId).toBeUndefined();
    }
  });

  test("a usable click wins over the coupon: the coupon's owner gets nothing", async () => {
    const orderId = uniqueId('C');
    expectAccepted(
      await send(lastClickShop, orderCreated(orderId, { clickId: annaClick, couponCode: carlCoupon })),
    );
    const view = await waitForOrder(admin, lastClickShop.merchantId, orderId);
    expect(view.attributions).toEqual([
      expect.objectContaining({
        influencerId: anna,
        clickId: annaClick,
        weightBps: 10_000,
        method: 'last_click',
      }),
    ]);
  });

  test('a click older than the merchant window: unattributed, expired', async () => {
    const orderId = uniqueId('U');
    // The default window is 30 days: an order dated 31 days after the click.
    const occurredAt = new Date(Date.now() + 31 * 86_400_000).toISOString();
    expectAccepted(await send(lastClickShop, orderCreated(orderId, { clickId: annaClick, occurredAt })));
    const view = await waitForOrder(admin, lastClickShop.merchantId, orderId);
    expect(view).toMatchObject({ status: 'unattributed', unattributedReason: 'expired', attributions: [] });
  });

  test.each([
    ['no_click', {}],
    ['unknown_click', { clickId: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }],
    ['unknown_click', { clickId: 'not-a-click-id' }],
    ['unknown_click', { clickId: '01ARZ3NDEKTSV4RRFFQ69G5FAV', couponCode: 'NOBODY-HAS-THIS' }],
  ])('kept as unattributed with reason %s (%j)', async (reason, extra) => {
    const orderId = uniqueId('U');
    expectAccepted(await send(lastClickShop, orderCreated(orderId, extra)));
    const view = await waitForOrder(admin, lastClickShop.merchantId, orderId);
    expect(view).toMatchObject({
      orderId,
      status: 'unattributed',
      unattributedReason: reason,
      amountMinor: 6000,
      attributions: [],
    });
  });

  test('a click of another merchant: unattributed, other_merchant', async () => {
    const orderId = uniqueId('U');
    expectAccepted(await send(otherShop, orderCreated(orderId, { clickId: annaClick })));
    const view = await waitForOrder(admin, otherShop.merchantId, orderId);
    expect(view).toMatchObject({
      status: 'unattributed',
      unattributedReason: 'other_merchant',
      attributions: [],
    });
  });
});

describe('refunds and cancellations', () => {
  test('a refund that arrives before its order is kept and applied when the order comes', async () => {
    const orderId = uniqueId('R');
    await sendAndProcess(lastClickShop, refunded(orderId, [{ sku: 'SKU-1', quantity: 1 }]));
    // Only a refund so far: the order itself was never accepted.
    expect((await admin.get(orderPath(lastClickShop.merchantId, orderId))).status).toBe(404);

    expectAccepted(await send(lastClickShop, orderCreated(orderId, { clickId: annaClick })));
    const view = await waitForOrder(admin, lastClickShop.merchantId, orderId);
    // Kept: one beauty unit (250) and SKU-2 (50).
    expect(view).toMatchObject({
      status: 'credited',
      amountMinor: 3500,
      commissionMinor: 300,
      attributions: [{ influencerId: anna, commissionMinor: 300, status: 'unpaid' }],
    });
  });

  test('a partial refund shrinks the unpaid credit; a cancellation takes it to zero', async () => {
    const orderId = uniqueId('R');
    expectAccepted(await send(lastClickShop, orderCreated(orderId, { clickId: annaClick })));
    const credited = await waitForOrder(admin, lastClickShop.merchantId, orderId);
    expect(credited).toMatchObject({ amountMinor: 6000, commissionMinor: 550 });

    expectAccepted(await send(lastClickShop, refunded(orderId, [{ sku: 'SKU-1', quantity: 1 }])));
    const partial = await waitForOrder(
      admin,
      lastClickShop.merchantId,
      orderId,
      (o) => o.amountMinor !== 6000,
    );
    expect(partial).toMatchObject({
      status: 'credited',
      amountMinor: 3500,
      commissionMinor: 300,
      attributions: [{ influencerId: anna, commissionMinor: 300, status: 'unpaid' }],
    });

    expectAccepted(await send(lastClickShop, cancelled(orderId)));
    const zero = await waitForOrder(admin, lastClickShop.merchantId, orderId, (o) => o.amountMinor !== 3500);
    expect(zero).toMatchObject({
      amountMinor: 0,
      commissionMinor: 0,
      attributions: [{ influencerId: anna, commissionMinor: 0, status: 'unpaid' }],
    });
    expect(await storedCredits(lastClickShop.merchantId, orderId)).toBe(1);
  });
});

describe('rejected webhooks write nothing', () => {
  test('401 invalid_signature, indistinguishably: bad signature, stale or future timestamp, missing headers, other secret, unknown merchant', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: Array<[string, () => Promise<HttpResponse>, string]> = [];
    const add = (name: string, request: (orderId: string) => Promise<HttpResponse>, merchantId: string) => {
      const orderId = uniqueId('X');
      cases.push([name, () => request(orderId), `${merchantId}/${orderId}`]);
    };
    const m = lastClickShop.merchantId;
    add(
      'body changed after signing',
      (orderId) => {
        const raw = JSON.stringify(orderCreated(orderId, { clickId: annaClick }));
        return shop.request('POST', `/webhooks/${m}/orders`, {
          body: raw.replace('"USD"', '"EUR"'),
          headers: signHeaders(lastClickShop.secret, raw),
        });
      },
      m,
    );
    add(
      'a made-up signature',
      (orderId) =>
        send(lastClickShop, orderCreated(orderId), {
          signature: `v1,${Buffer.alloc(32, 7).toString('base64')}`,
        }),
      m,
    );
    add(
      'no signature headers',
      (orderId) => shop.request('POST', `/webhooks/${m}/orders`, { json: orderCreated(orderId) }),
      m,
    );
    add(
      'a timestamp 6 minutes old',
      (orderId) => send(lastClickShop, orderCreated(orderId), { timestamp: now - 360 }),
      m,
    );
    add(
      'a timestamp 6 minutes ahead',
      (orderId) => send(lastClickShop, orderCreated(orderId), { timestamp: now + 360 }),
      m,
    );
    add(
      "another merchant's secret",
      (orderId) => postWebhook(shop, m, otherShop.secret, orderCreated(orderId)),
      m,
    );
    const unknown = uniqueId('nobody');
    add(
      'an unknown merchant',
      (orderId) => postWebhook(shop, unknown, lastClickShop.secret, orderCreated(orderId)),
      unknown,
    );

    const answers: Array<{ name: string; status: number; body: unknown }> = [];
    for (const [name, request] of cases) {
      const res = await request();
      answers.push({ name, status: res.status, body: bodyOf(res, errorBodySchema) });
    }
    const expected = answers.map(({ name }) => ({
      name,
      status: 401,
      body: { error: { code: 'invalid_signature', message: expect.any(String) } },
    }));
    expect(answers).toEqual(expected);
    // Indistinguishable: the very same answer every time.
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
    for (const [, , path] of cases) expect((await admin.get(`/admin/orders/${path}`)).status).toBe(404);

    // A rejected webhook-id was not recorded: the genuine delivery under that id is accepted.
    const id = `msg_${uniqueId('forged')}`;
    const orderId = uniqueId('X');
    const forged = await postWebhook(shop, m, otherShop.secret, orderCreated(orderId), { id });
    expect(forged.status).toBe(401);
    expectAccepted(await send(lastClickShop, orderCreated(orderId), { id }), 'accepted');
  });

  test.each([
    ['malformed JSON', '{"type":"order.created",', undefined],
    [
      'an unknown type',
      { type: 'order.shipped', orderId: 'X', occurredAt: new Date().toISOString() },
      'type',
    ],
    [
      'a float price',
      { lines: [{ sku: 'A', quantity: 1, unitPriceMinor: 19.99 }] },
      'lines.0.unitPriceMinor',
    ],
    [
      'a negative price',
      { lines: [{ sku: 'A', quantity: 1, unitPriceMinor: -1 }] },
      'lines.0.unitPriceMinor',
    ],
    ['a zero quantity', { lines: [{ sku: 'A', quantity: 0, unitPriceMinor: 100 }] }, 'lines.0.quantity'],
    ['no lines', { lines: [] }, 'lines'],
    [
      '501 lines',
      { lines: Array.from({ length: 501 }, (_, i) => ({ sku: `S${i}`, quantity: 1, unitPriceMinor: 1 })) },
      'lines',
    ],
    ['a lower-case currency', { currency: 'usd' }, 'currency'],
    ['an empty orderId', { orderId: '' }, 'orderId'],
    [
      'a 129-character sku',
      { lines: [{ sku: 'x'.repeat(129), quantity: 1, unitPriceMinor: 1 }] },
      'lines.0.sku',
    ],
    ['a local time', { occurredAt: '2026-11-03T14:05:00+02:00' }, 'occurredAt'],
    [
      'a price beyond 2^53 − 1',
      { lines: [{ sku: 'A', quantity: 1, unitPriceMinor: 2 ** 53 }] },
      'lines.0.unitPriceMinor',
    ],
    [
      'a total beyond 2^53 − 1',
      { lines: [{ sku: 'A', quantity: 2, unitPriceMinor: Number.MAX_SAFE_INTEGER - 1 }] },
      undefined,
    ],
  ])('400 invalid_body with issues: %s', async (_name, change, path) => {
    const orderId = uniqueId('B');
    const body = typeof change === 'string' ? change : { ...orderCreated(orderId), ...change };
    const res = await send(lastClickShop, body);
    expect({ status: res.status, body: res.text }).toEqual({ status: 400, body: expect.any(String) });
    const error = bodyOf(res, validationErrorSchema).error;
    expect(error.code).toBe('invalid_body');
    if (path) expect(error.issues.map((i) => i.path)).toContain(path);
    const storedId = typeof body === 'string' ? orderId : String(body.orderId);
    if (storedId !== '') {
      expect((await admin.get(orderPath(lastClickShop.merchantId, storedId))).status).toBe(404);
    }
  });

  test('the webhook-id of a rejected body is not taken: the corrected event under that id is accepted', async () => {
    const id = `msg_${uniqueId('fix')}`;
    const orderId = uniqueId('B');
    const bad = await send(lastClickShop, orderCreated(orderId, { currency: 'usd' }), { id });
    expect(bad.status).toBe(400);
    expectAccepted(await send(lastClickShop, orderCreated(orderId), { id }), 'accepted');
    expect(await waitForOrder(admin, lastClickShop.merchantId, orderId)).toMatchObject({
      status: 'unattributed',
      currency: 'USD',
    });
  });

  test('413 payload_too_large beyond 64 KiB, checked before the signature', async () => {
    const orderId = uniqueId('L');
    const big = JSON.stringify(orderCreated(orderId, { couponCode: 'x'.repeat(10) }));
    const padded = `${big.slice(0, -1)},"pad":"${'p'.repeat(64 * 1024)}"}`;
    expect(Buffer.byteLength(padded)).toBeGreaterThan(64 * 1024);

    const signed = await send(lastClickShop, padded);
    const unsigned = await shop.request('POST', `/webhooks/${lastClickShop.merchantId}/orders`, {
      body: padded,
    });
    for (const res of [signed, unsigned]) {
      expect({ status: res.status, body: res.text }).toEqual({ status: 413, body: expect.any(String) });
      expect(bodyOf(res, errorBodySchema).error.code).toBe('payload_too_large');
    }
    expect((await admin.get(orderPath(lastClickShop.merchantId, orderId))).status).toBe(404);
  });

  test('a body of exactly 64 KiB is accepted (JSON whitespace as padding); one byte more is 413', async () => {
    const orderId = uniqueId('L');
    const json = JSON.stringify(orderCreated(orderId));
    const exact = json + ' '.repeat(64 * 1024 - Buffer.byteLength(json));
    const over = await send(lastClickShop, `${exact} `);
    expect(over.status).toBe(413);
    const res = await send(lastClickShop, exact);
    expectAccepted(res);
    expect(await waitForOrder(admin, lastClickShop.merchantId, orderId)).toMatchObject({ amountMinor: 6000 });
  });
});

describe('signing without the library', () => {
  test("an HMAC computed by hand (the README's curl + openssl recipe) is accepted, also among other signatures", async () => {
    const orderId = uniqueId('H');
    const body = JSON.stringify(orderCreated(orderId, { clickId: annaClick }));
    const id = `msg_${uniqueId('curl')}`;
    const ts = String(Math.floor(Date.now() / 1000));
    const key = Buffer.from(lastClickShop.secret.replace(/^whsec_/, ''), 'base64');
    const signature = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64');
    const res = await shop.request('POST', `/webhooks/${lastClickShop.merchantId}/orders`, {
      body,
      headers: {
        'webhook-id': id,
        'webhook-timestamp': ts,
        // Several space-separated signatures: one that matches is enough.
        'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')} v1,${signature}`,
      },
    });
    expect(expectAccepted(res)).toEqual({ status: 'accepted', webhookId: id });
    const view = await waitForOrder(admin, lastClickShop.merchantId, orderId);
    expect(view).toMatchObject({
      status: 'credited',
      commissionMinor: 550,
      attributions: [{ influencerId: anna }],
    });
  });
});

describe('durability', () => {
  test('orders accepted just before a kill -9 of the whole process group are credited once after a restart', async () => {
    const clickId = await clickThrough(browser(), annaLink);
    const orders = Array.from({ length: 8 }, () => ({
      orderId: uniqueId('K'),
      webhookId: `msg_${uniqueId('k')}`,
    }));
    // As fast as the shop can: each 202 is a promise that the order will be credited.
    for (const { orderId, webhookId } of orders) {
      expectAccepted(await send(lastClickShop, orderCreated(orderId, { clickId }), { id: webhookId }));
    }
    const exit = await runtime.crash();
    expect(exit.signal).toBe('SIGKILL');

    runtime = await startRuntime({ dataDir: runtime.dataDir, adminToken: runtime.adminToken });
    started.push(runtime);
    admin = new AdminClient(runtime.baseUrl, runtime.adminToken);
    shop = new HttpClient(runtime.baseUrl);

    for (const { orderId } of orders) {
      const view = await waitForOrder(admin, lastClickShop.merchantId, orderId);
      expect(view).toMatchObject({
        orderId,
        status: 'credited',
        commissionMinor: 550,
        attributions: [{ influencerId: anna, clickId, commissionMinor: 550 }],
      });
      expect(view.attributions).toHaveLength(1);
    }
    const items = await scanTable(runtime, 'orders');
    const credits = orders.map(
      ({ orderId }) =>
        items.filter(
          (i) =>
            i.merchantId === lastClickShop.merchantId &&
            i.orderId === orderId &&
            String(i.sk).startsWith('CREDIT#'),
        ).length,
    );
    expect(credits).toEqual(orders.map(() => 1));
    // The de-duplication of webhook ids survived the crash as well.
    const [first] = orders;
    if (first) {
      const again = await send(lastClickShop, orderCreated(first.orderId, { clickId }), {
        id: first.webhookId,
      });
      expectAccepted(again, 'duplicate');
    }
    // The crash must have hit before some of them were processed, or this test proved nothing: those
    // are the ones the start-up redrive queued again (their inbox items count a redrive).
    const redriven = (await scanTable(runtime, 'inbox')).filter(
      (i) =>
        orders.some((o) => i.pk === `WEBHOOK#${lastClickShop.merchantId}#${o.webhookId}`) &&
        Number(i.redrives) > 0,
    );
    expect(redriven.length).toBeGreaterThan(0);
  }, 90_000);
});
