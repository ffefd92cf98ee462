/**
 * The self-service API (CONTRACT §11) on DynamoDB Local: each key reaches its own party's data and
 * nothing else, an influencer makes links only for merchants it is enrolled with, and its ledger
 * (`GET /v1/me/credits`) lists every credit, clawback and flat fee of its own, newest first, a page
 * of 100 at a time, with a cursor that cannot be turned to anything else.
 */
import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { requireEnv } from '../../functions/common/config/env';
import { context, httpEvent } from '../support/events';
import type { HttpHandler } from '../support/handlers';
import { useTestStores } from '../support/stores';

let admin: HttpHandler;
let self: HttpHandler;
let dynamo: typeof import('../../functions/common/clients/aws').dynamo;
let ordersTable = '';
const keys: Record<string, string> = {};

interface Answer {
  status: number;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test bodies are read field by field
  body: any;
}

async function send(handler: HttpHandler, input: Parameters<typeof httpEvent>[0]): Promise<Answer> {
  const res = await handler(httpEvent(input), context());
  const text = res.body ?? '';
  const json = (res.headers?.['content-type'] ?? '').includes('json') && text;
  return { status: res.statusCode, text, body: json ? JSON.parse(text) : undefined };
}

const asAdmin = (method: string, route: string, pathParameters?: Record<string, string>, body?: unknown) =>
  send(admin, { method, route, admin: true, ...(pathParameters ? { pathParameters } : {}), body });

/** A call on a party's own key; the path template doubles as the path. */
const asKey = (
  who: string,
  method: string,
  route: string,
  opts: { pathParameters?: Record<string, string>; query?: string; body?: unknown } = {},
) =>
  send(self, {
    method,
    route,
    headers: { authorization: `Bearer ${keys[who]}` },
    ...opts,
  });

async function everything(table: string) {
  const out = await dynamo().send(new ScanCommand({ TableName: table, ConsistentRead: true }));
  return (out.Items ?? []).map((item) => `${item.pk}|${item.sk}`).sort();
}

beforeAll(async () => {
  await useTestStores('self');
  admin = (await import('../../functions/admin/handler')).handler as HttpHandler;
  self = (await import('../../functions/self-service/handler')).handler as HttpHandler;
  dynamo = (await import('../../functions/common/clients/aws')).dynamo;
  ordersTable = requireEnv('ORDERS_TABLE_NAME');
  for (const merchantId of ['m-one', 'm-two']) {
    const res = await asAdmin('POST', '/admin/merchants', undefined, {
      merchantId,
      name: merchantId,
      allowedDomains: [`${merchantId}.example.com`],
      currency: 'USD',
      commission: { defaultBps: 1000 },
    });
    expect(res.status).toBe(201);
    const key = await asAdmin(
      'POST',
      '/admin/merchants/{merchantId}/api-keys',
      { merchantId },
      { name: 't' },
    );
    keys[merchantId] = key.body.apiKey;
  }
  for (const influencerId of ['ana', 'ben']) {
    expect(
      (
        await asAdmin('POST', '/admin/influencers', undefined, {
          influencerId,
          handle: influencerId,
          name: influencerId,
        })
      ).status,
    ).toBe(201);
    const key = await asAdmin(
      'POST',
      '/admin/influencers/{influencerId}/api-keys',
      { influencerId },
      { name: 't' },
    );
    keys[influencerId] = key.body.apiKey;
  }
  // Ana is in m-one's program; Ben in m-two's.
  expect(
    (
      await asAdmin(
        'PUT',
        '/admin/merchants/{merchantId}/influencers/{influencerId}',
        { merchantId: 'm-one', influencerId: 'ana' },
        {},
      )
    ).status,
  ).toBe(200);
  expect(
    (
      await asAdmin(
        'PUT',
        '/admin/merchants/{merchantId}/influencers/{influencerId}',
        { merchantId: 'm-two', influencerId: 'ben' },
        {},
      )
    ).status,
  ).toBe(200);
});

describe('POST /v1/me/links: only for merchants the influencer is enrolled with', () => {
  const make = (who: string, body: unknown) => asKey(who, 'POST', '/v1/me/links', { body });

  it('makes a link of its own for a merchant of its programs, as the operator would', async () => {
    const res = await make('ana', {
      merchantId: 'm-one',
      targetUrl: 'https://m-one.example.com/p?x=1',
      code: 'ana-one',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      code: 'ana-one',
      shortUrl: 'https://go.example.test/ana-one',
      influencerId: 'ana',
      merchantId: 'm-one',
      targetUrl: 'https://m-one.example.com/p?x=1',
      disabled: false,
    });
    const generated = await make('ana', { merchantId: 'm-one', targetUrl: 'https://m-one.example.com/q' });
    expect(generated.status).toBe(201);
    expect(generated.body.influencerId).toBe('ana');
  });

  it('answers a merchant it is not enrolled with and an unknown one alike, 404, and writes nothing (no enrollment either)', async () => {
    const before = await everything(requireEnv('CONFIG_TABLE_NAME'));
    const notEnrolled = await make('ana', {
      merchantId: 'm-two',
      targetUrl: 'https://m-two.example.com/p',
      code: 'ana-two',
    });
    const unknown = await make('ana', {
      merchantId: 'm-none',
      targetUrl: 'https://m-none.example.com/p',
      code: 'ana-none',
    });
    expect(notEnrolled.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(notEnrolled.body).toEqual(unknown.body);
    expect(await everything(requireEnv('CONFIG_TABLE_NAME'))).toEqual(before);
  });

  it('takes the influencer from the key: a body naming one is a 400', async () => {
    const res = await make('ben', {
      influencerId: 'ana',
      merchantId: 'm-one',
      targetUrl: 'https://m-one.example.com/p',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_body');
  });

  it('keeps the operator rules: a taken code 409, a target off the merchant 400', async () => {
    expect(
      (await make('ana', { merchantId: 'm-one', targetUrl: 'https://m-one.example.com/p', code: 'ana-one' }))
        .status,
    ).toBe(409);
    const offsite = await make('ana', { merchantId: 'm-one', targetUrl: 'https://evil.example.net/p' });
    expect(offsite.status).toBe(400);
    expect(offsite.body.error.issues[0].path).toBe('targetUrl');
  });

  it('stops once the merchant ends the enrollment; the links made keep working', async () => {
    expect(
      (
        await asAdmin(
          'PUT',
          '/admin/merchants/{merchantId}/influencers/{influencerId}',
          { merchantId: 'm-two', influencerId: 'ana' },
          {},
        )
      ).status,
    ).toBe(200);
    expect(
      (await make('ana', { merchantId: 'm-two', targetUrl: 'https://m-two.example.com/p', code: 'ana-two' }))
        .status,
    ).toBe(201);
    const ended = await asKey('m-two', 'DELETE', '/v1/merchant/influencers/{influencerId}', {
      pathParameters: { influencerId: 'ana' },
    });
    expect(ended.status).toBe(204);
    expect(
      (
        await make('ana', {
          merchantId: 'm-two',
          targetUrl: 'https://m-two.example.com/p',
          code: 'ana-two-b',
        })
      ).status,
    ).toBe(404);
    expect((await asAdmin('GET', '/admin/links/{code}', { code: 'ana-two' })).body.disabled).toBe(false);
  });
});

describe('PATCH /v1/me/links/{code}', () => {
  const patch = (who: string, code: string, disabled: boolean) =>
    asKey(who, 'PATCH', '/v1/me/links/{code}', { pathParameters: { code }, body: { disabled } });

  it("changes its own link, and another's link is 404 and unchanged", async () => {
    const own = await patch('ana', 'ana-one', true);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ code: 'ana-one', disabled: true });
    const other = await patch('ben', 'ana-one', false);
    const none = await patch('ben', 'no-such-link', false);
    expect(other.status).toBe(404);
    expect(other.body).toEqual(none.body);
    expect((await asAdmin('GET', '/admin/links/{code}', { code: 'ana-one' })).body.disabled).toBe(true);
    expect((await patch('ana', 'ana-one', false)).body.disabled).toBe(false);
  });
});

describe('GET /v1/me/credits', () => {
  const credits = (who: string, query = '') => asKey(who, 'GET', '/v1/me/credits', query ? { query } : {});
  const minute = (i: number) => new Date(Date.UTC(2026, 9, 1) + i * 60_000).toISOString();

  beforeAll(async () => {
    const { orderRepo, transact } = await import('../../functions/common/repos/orders');
    const orders = orderRepo(ordersTable);
    const credit = (influencerId: string, orderId: string, occurredAt: string, amountMinor: number) =>
      orders.creditPut({
        merchantId: 'm-one',
        orderId,
        influencerId,
        currency: 'USD',
        amountMinor,
        weightBps: 10_000,
        method: 'last_click',
        clickIds: [],
        occurredAt,
        eligibleAt: occurredAt,
        status: 'unpaid',
        version: 1,
      });
    // 110 credits of Ana's a minute apart, one of them paid and later clawed back; Ben's own.
    const anas = Array.from({ length: 110 }, (_, i) =>
      credit('ana', `o-${String(i).padStart(3, '0')}`, minute(i), 100 + i),
    );
    await transact(anas.slice(0, 60));
    await transact(anas.slice(60));
    await transact([credit('ben', 'o-ben', minute(5), 999)]);
    await transact([
      orders.adjustmentPut({
        merchantId: 'm-one',
        orderId: 'o-003',
        influencerId: 'ana',
        currency: 'USD',
        eventId: 'refund-1',
        amountMinor: -40,
        occurredAt: minute(200),
        orderOccurredAt: minute(3),
        eligibleAt: minute(200),
        status: 'unpaid',
      }),
    ]);
    // Flat fees the real way: the merchant's own key puts them in Ana's terms.
    const terms = await asKey('m-one', 'PUT', '/v1/merchant/influencers/{influencerId}', {
      pathParameters: { influencerId: 'ana' },
      body: {
        terms: {
          flatFees: [
            { feeId: 'launch', amountMinor: 5000, dueAt: minute(300) },
            { feeId: 'early', amountMinor: 700, dueAt: minute(-10) },
          ],
        },
      },
    });
    expect(terms.status).toBe(200);
  });

  it('lists every credit, clawback and fee of its own, newest first, 100 a page, and nothing of anyone else', async () => {
    const first = await credits('ana');
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(100);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await credits('ana', `cursor=${first.body.nextCursor}`);
    expect(second.status).toBe(200);
    expect(second.body.nextCursor).toBeUndefined();
    const all = [...first.body.items, ...second.body.items];
    expect(all).toHaveLength(113);
    const times = all.map((item: { occurredAt: string }) => item.occurredAt);
    expect(times).toEqual([...times].sort().reverse());
    expect(all[0]).toEqual({
      merchantId: 'm-one',
      orderId: 'launch',
      feeId: 'launch',
      occurredAt: minute(300),
      currency: 'USD',
      commissionMinor: 5000,
      status: 'unpaid',
      method: 'flat_fee',
    });
    expect(all[1]).toEqual({
      merchantId: 'm-one',
      orderId: 'o-003',
      occurredAt: minute(200),
      currency: 'USD',
      commissionMinor: -40,
      status: 'unpaid',
      method: 'clawback',
    });
    expect(all[2]).toEqual({
      merchantId: 'm-one',
      orderId: 'o-109',
      occurredAt: minute(109),
      currency: 'USD',
      commissionMinor: 209,
      status: 'unpaid',
      method: 'last_click',
    });
    expect(all.at(-1)).toMatchObject({ orderId: 'early', method: 'flat_fee', commissionMinor: 700 });
    expect(all.some((item: { orderId: string }) => item.orderId === 'o-ben')).toBe(false);
    const ben = await credits('ben');
    expect(ben.body.items.map((item: { orderId: string }) => item.orderId)).toEqual(['o-ben']);
  });

  it('keeps to the days asked for, both included', async () => {
    const day = await credits('ana', 'from=2026-10-01&to=2026-10-01');
    expect(day.body.items).toHaveLength(100);
    const rest = await credits('ana', `from=2026-10-01&to=2026-10-01&cursor=${day.body.nextCursor}`);
    // 110 credits, the clawback and the launch fee are on 1 October; the early fee on 30 September.
    expect(rest.body.items).toHaveLength(12);
    const before = await credits('ana', 'to=2026-09-30');
    expect(before.body.items.map((item: { orderId: string }) => item.orderId)).toEqual(['early']);
    expect((await credits('ana', 'from=2026-10-02&to=2026-10-01')).status).toBe(400);
  });

  it("refuses a bad cursor with 400: garbage, edited, another influencer's, or outside the range", async () => {
    const first = await credits('ana');
    const decoded = JSON.parse(Buffer.from(first.body.nextCursor, 'base64url').toString('utf8'));
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
    const bad = [
      'not!base64',
      Buffer.from('not json').toString('base64url'),
      encode({ ...decoded, creditsOf: 'ben' }),
      encode({ ...decoded, extra: 1 }),
      encode({ ...decoded, creditSort: 'garbage' }),
      encode({ pk: decoded.pk }),
    ];
    for (const cursor of bad) {
      const res = await credits('ana', `cursor=${encodeURIComponent(cursor)}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_query');
    }
    // Ana's cursor is nothing to Ben; and it cannot leave the range it was made in.
    expect((await credits('ben', `cursor=${first.body.nextCursor}`)).status).toBe(400);
    expect((await credits('ana', `to=2026-09-30&cursor=${first.body.nextCursor}`)).status).toBe(400);
  });
});

describe('GET /v1/me/payouts and the statement', () => {
  beforeAll(async () => {
    const { payoutRepo } = await import('../../functions/common/repos/payouts');
    const payouts = payoutRepo(requireEnv('PAYOUTS_TABLE_NAME'));
    const payout = (period: string, influencerId: string, amountMinor: number) => ({
      period,
      influencerId,
      currency: 'USD',
      payoutId: `${period}#${influencerId}#USD`,
      status: 'carried_over' as const,
      state: 'done' as const,
      amountMinor,
      items: 1,
      markedMinor: 0,
      markedItems: 0,
    });
    await payouts.createPayout(payout('2026-10', 'ana', 500));
    await payouts.createPayout(payout('2026-09', 'ana', 300));
    await payouts.createPayout(payout('2026-10', 'ben', 900));
  });

  it("lists its payouts of every period, oldest first, each with its period, and no one else's", async () => {
    const res = await asKey('ana', 'GET', '/v1/me/payouts');
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      {
        period: '2026-09',
        payoutId: '2026-09#ana#USD',
        influencerId: 'ana',
        currency: 'USD',
        amountMinor: 300,
        items: 1,
        status: 'carried_over',
      },
      {
        period: '2026-10',
        payoutId: '2026-10#ana#USD',
        influencerId: 'ana',
        currency: 'USD',
        amountMinor: 500,
        items: 1,
        status: 'carried_over',
      },
    ]);
  });

  it('has no statement where it has no payable payout', async () => {
    const res = await asKey('ana', 'GET', '/v1/me/payouts/{period}/statement.csv', {
      pathParameters: { period: '2026-10' },
    });
    expect(res.status).toBe(404);
  });
});

describe('storefronts of its own', () => {
  const put = (who: string, handle: string, body: unknown) =>
    asKey(who, 'PUT', '/v1/me/storefronts/{handle}', { pathParameters: { handle }, body });
  const get = (who: string, handle: string) =>
    asKey(who, 'GET', '/v1/me/storefronts/{handle}', { pathParameters: { handle } });

  it("puts and reads its own; another's handle is 409 to put and 404 to read; another's link is a 400", async () => {
    const made = await put('ana', 'ana-front', {
      title: 'Picks',
      items: [{ code: 'ana-one', title: 'Serum' }],
    });
    expect(made.status).toBe(200);
    expect(made.body).toMatchObject({ handle: 'ana-front', influencerId: 'ana', title: 'Picks' });
    expect((await get('ana', 'ana-front')).body).toEqual(made.body);
    expect((await put('ben', 'ana-front', { title: 'Mine', items: [] })).status).toBe(409);
    const read = await get('ben', 'ana-front');
    expect(read.status).toBe(404);
    expect(read.body).toEqual((await get('ben', 'no-front')).body);
    const borrowed = await put('ben', 'ben-front', {
      title: 'Mine',
      items: [{ code: 'ana-one', title: 'Serum' }],
    });
    expect(borrowed.status).toBe(400);
    expect(borrowed.body.error.issues[0].path).toBe('items.0.code');
    expect((await get('ana', 'ana-front')).body.title).toBe('Picks');
  });
});

describe('merchant keys', () => {
  beforeAll(async () => {
    const { orderRepo, transact } = await import('../../functions/common/repos/orders');
    await transact([
      orderRepo(ordersTable).acceptedStub({
        merchantId: 'm-one',
        orderId: 'A-1001',
        currency: 'USD',
        occurredAt: '2026-11-03T14:05:00.000Z',
        amountMinor: 5000,
      }),
    ]);
  });

  it("reads its own order as the operator does; another merchant's is 404", async () => {
    const own = await asKey('m-one', 'GET', '/v1/merchant/orders/{orderId}', {
      pathParameters: { orderId: 'A-1001' },
    });
    expect(own.status).toBe(200);
    const operator = await asAdmin('GET', '/admin/orders/{merchantId}/{orderId}', {
      merchantId: 'm-one',
      orderId: 'A-1001',
    });
    expect(own.body).toEqual(operator.body);
    expect(own.body).toMatchObject({ orderId: 'A-1001', status: 'pending', amountMinor: 5000 });
    const other = await asKey('m-two', 'GET', '/v1/merchant/orders/{orderId}', {
      pathParameters: { orderId: 'A-1001' },
    });
    expect(other.status).toBe(404);
    expect(other.body).toEqual(
      (await asKey('m-two', 'GET', '/v1/merchant/orders/{orderId}', { pathParameters: { orderId: 'never' } }))
        .body,
    );
  });

  it('manages its own program only, with fees and fee_paid as the operator route', async () => {
    const list = await asKey('m-one', 'GET', '/v1/merchant/influencers');
    expect(list.body.items.map((e: { influencerId: string }) => e.influencerId)).toEqual(['ana']);
    expect(
      (
        await asKey('m-two', 'GET', '/v1/merchant/influencers/{influencerId}', {
          pathParameters: { influencerId: 'ana' },
        })
      ).status,
    ).toBe(404);
    const mine = await asKey('m-one', 'GET', '/v1/merchant/influencers/{influencerId}', {
      pathParameters: { influencerId: 'ana' },
    });
    const operator = await asAdmin('GET', '/admin/merchants/{merchantId}/influencers/{influencerId}', {
      merchantId: 'm-one',
      influencerId: 'ana',
    });
    expect(mine.body).toEqual(operator.body);
    expect(mine.body.terms.flatFees.map((f: { feeId: string }) => f.feeId)).toEqual(['launch', 'early']);

    // Once a fee is paid, the merchant may not change it either.
    await dynamo().send(
      new UpdateCommand({
        TableName: ordersTable,
        Key: { pk: 'FEE#m-one#ana', sk: 'FEE#early' },
        UpdateExpression: 'SET #s = :paid, payoutId = :p REMOVE unpaidFor',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':paid': 'paid', ':p': '2026-10#ana#USD' },
      }),
    );
    const dropped = await asKey('m-one', 'PUT', '/v1/merchant/influencers/{influencerId}', {
      pathParameters: { influencerId: 'ana' },
      body: {
        terms: {
          flatFees: [{ feeId: 'launch', amountMinor: 5000, dueAt: mine.body.terms.flatFees[0].dueAt }],
        },
      },
    });
    expect(dropped.status).toBe(409);
    expect(dropped.body.error.code).toBe('fee_paid');

    // Ending an enrollment of another merchant's program is 404, and it stays.
    expect(
      (
        await asKey('m-two', 'DELETE', '/v1/merchant/influencers/{influencerId}', {
          pathParameters: { influencerId: 'ana' },
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await asAdmin('GET', '/admin/merchants/{merchantId}/influencers/{influencerId}', {
          merchantId: 'm-one',
          influencerId: 'ana',
        })
      ).status,
    ).toBe(200);
  });

  it('reads its own reports and model comparison; an influencer reads its own report', async () => {
    const report = await asKey('m-one', 'GET', '/v1/merchant/reports', {
      query: 'from=2026-10-01&to=2026-10-31',
    });
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ merchantId: 'm-one', from: '2026-10-01', to: '2026-10-31' });
    const models = await asKey('m-two', 'GET', '/v1/merchant/reports/attribution-models', {
      query: 'from=2026-10-01&to=2026-10-31',
    });
    expect(models.status).toBe(200);
    expect(models.body.merchantId).toBe('m-two');
    expect(models.body.models).toHaveLength(5);
    const mine = await asKey('ben', 'GET', '/v1/me/report', { query: 'from=2026-10-01&to=2026-10-31' });
    expect(mine.status).toBe(200);
    expect(mine.body.influencerId).toBe('ben');
  });
});
