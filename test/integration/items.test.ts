/**
 * The entity modules' shared parts on DynamoDB Local: items are checked against their declaration
 * on the way in (a corrupt one fails loudly, naming its table, key and what is wrong), and queries
 * read every page through `paginateQuery`.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { useTestStores } from '../support/stores';

let stores: Awaited<ReturnType<typeof useTestStores>>;
let aws: typeof import('../../functions/common/clients/aws');
let items: typeof import('../../functions/common/repos/items');
const queryCalls: string[] = [];

beforeAll(async () => {
  stores = await useTestStores('items');
  aws = await import('../../functions/common/clients/aws');
  items = await import('../../functions/common/repos/items');
  aws.dynamo().middlewareStack.add(
    (next, ctx) => async (args) => {
      if (ctx.commandName === 'QueryCommand') queryCalls.push(ctx.commandName);
      return next(args);
    },
    { step: 'initialize', name: 'countQueries' },
  );
});

const put = (table: string, item: Record<string, unknown>) =>
  aws.dynamo().send(new PutCommand({ TableName: table, Item: item }));

const credit = (orderId: string, influencerId: string, amountMinor: unknown) => ({
  pk: `ORDER#shop-p#${orderId}`,
  sk: `CREDIT#${influencerId}`,
  itemType: 'credit',
  unpaidFor: influencerId,
  merchantId: 'shop-p',
  orderId,
  influencerId,
  currency: 'USD',
  amountMinor,
  weightBps: 10_000,
  method: 'last_click',
  clickIds: [],
  occurredAt: '2026-10-02T00:00:00.000Z',
  eligibleAt: '2026-10-02T00:00:00.000Z',
  status: 'unpaid',
  version: 1,
});

describe('pagination', () => {
  test('queryAll reads every page: 5 items, 2 a page, 3 calls', async () => {
    const pk = 'ORDER#shop-p#paged';
    for (let i = 0; i < 5; i++) await put(stores.tables.orders, { pk, sk: `EVENT#${i}`, n: i });
    queryCalls.length = 0;
    const found: unknown[] = [];
    const query = {
      TableName: stores.tables.orders,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
    };
    for await (const item of items.queryAll(query, 2)) found.push(item.n);
    expect(found).toEqual([0, 1, 2, 3, 4]);
    expect(queryCalls).toHaveLength(3);
  });

  test("an influencer's unpaid items come a page at a time, every one of them", async () => {
    const { orderRepo } = await import('../../functions/common/repos/orders');
    for (let i = 0; i < 5; i++) await put(stores.tables.orders, credit(`P-${i}`, 'paged-inf', 100 + i));
    const pages: number[][] = [];
    const repo = orderRepo(stores.tables.orders);
    for await (const page of repo.unpaidPages('paged-inf', '2026-11-01T00:00:00.000Z', 2)) {
      pages.push(page.map((item) => item.amountMinor));
    }
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.every((page) => page.length <= 2)).toBe(true);
    expect(pages.flat().sort()).toEqual([100, 101, 102, 103, 104]);
  });
});

describe('items read back are checked', () => {
  test('a corrupt merchant fails with its table, its key and what is wrong', async () => {
    const { merchantRepo } = await import('../../functions/common/repos/merchants');
    await put(stores.tables.config, {
      pk: 'MERCHANT#corrupt',
      sk: 'MERCHANT',
      itemType: 'merchant',
      merchantId: 'corrupt',
      name: 'Corrupt',
      allowedDomains: ['shop.example.com'],
      currency: 'USD',
      clickIdParam: 'clk',
      attributionModel: 'last_click',
      attributionWindowDays: 30,
      holdDays: 30,
      commission: { defaultBps: '500' },
      createdAt: '2026-10-01T00:00:00.000Z',
      webhookSecrets: [],
      version: 1,
    });
    const read = merchantRepo(stores.tables.config).get('corrupt');
    await expect(read).rejects.toThrow(items.CorruptItemError);
    await expect(merchantRepo(stores.tables.config).get('corrupt')).rejects.toThrow(
      `Corrupt merchant item in table ${stores.tables.config} at key {"pk":"MERCHANT#corrupt","sk":"MERCHANT"}: ` +
        'commission.defaultBps: Invalid input: expected number, received string',
    );
  });

  test('an order partition with a fractional credit fails loudly instead of paying it', async () => {
    const { orderRepo } = await import('../../functions/common/repos/orders');
    await put(stores.tables.orders, credit('FRACTION', 'anna', 12.5));
    await expect(orderRepo(stores.tables.orders).load('shop-p', 'FRACTION')).rejects.toThrow(
      /Corrupt credit item in table .* at key \{"pk":"ORDER#shop-p#FRACTION","sk":"CREDIT#anna"\}: amountMinor: Invalid input: expected int/,
    );
  });

  test('an item of another type under an entity key is refused', async () => {
    const { linkRepo } = await import('../../functions/common/repos/links');
    await put(stores.tables.config, {
      pk: 'LINK#not-a-link',
      sk: 'LINK',
      itemType: 'storefront',
      code: 'not-a-link',
      influencerId: 'anna',
      merchantId: 'shop',
      targetUrl: 'https://shop.example.com/',
      disabled: false,
      createdAt: '2026-10-01T00:00:00.000Z',
      updatedAt: '2026-10-01T00:00:00.000Z',
    });
    await expect(linkRepo(stores.tables.config).get('not-a-link')).rejects.toThrow(
      /Corrupt link item .*itemType: Invalid input: expected "link"/,
    );
  });

  test('a payout run and its job marker written before payee sets were recorded are still read', async () => {
    const { payoutRepo } = await import('../../functions/common/repos/payouts');
    const { orderRepo } = await import('../../functions/common/repos/orders');
    const { startPayoutRun, advancePayoutRun } = await import('../../functions/payouts/start-run');
    const payouts = payoutRepo(stores.tables.payouts);
    // Exactly what the previous versions wrote: no type marker, no recording progress, and a job
    // marker only once its job was done.
    await put(stores.tables.payouts, {
      pk: 'RUN#2026-07',
      sk: 'RUN',
      period: '2026-07',
      status: 'complete',
      expectedJobs: 1,
      doneJobs: 1,
    });
    await put(stores.tables.payouts, { pk: 'RUN#2026-07', sk: 'JOB#anna', influencerId: 'anna' });
    await put(stores.tables.payouts, {
      pk: 'RUN#2026-08',
      sk: 'RUN',
      period: '2026-08',
      status: 'running',
      expectedJobs: 2,
      doneJobs: 1,
    });

    await expect(payouts.run('2026-07')).resolves.toEqual({
      period: '2026-07',
      status: 'complete',
      doneJobs: 1,
    });
    await expect(payouts.job('2026-07', 'anna')).resolves.toEqual({ influencerId: 'anna', state: 'done' });
    const deps = {
      payouts,
      orders: orderRepo(stores.tables.orders),
      jobsQueueUrl: 'unused: nothing is queued',
      now: () => new Date('2026-11-15T00:00:00.000Z'),
    };
    await expect(startPayoutRun(deps, '2026-07')).resolves.toEqual({ kind: 'complete' });
    // A run that never recorded its payee set has nothing to continue from: it says so.
    await expect(advancePayoutRun(deps, '2026-08')).rejects.toThrow(
      'The payout run of 2026-08 has no recorded payee set; it cannot be continued.',
    );
  });

  test('an item written before the type marker existed is read by its key', async () => {
    const { linkRepo } = await import('../../functions/common/repos/links');
    // Exactly what the previous version wrote for a link: a `type` attribute, no `itemType`.
    await put(stores.tables.config, {
      pk: 'LINK#legacy-link',
      sk: 'LINK',
      gsi1pk: 'INFLUENCER#anna',
      gsi1sk: 'LINK#legacy-link',
      type: 'link',
      code: 'legacy-link',
      influencerId: 'anna',
      merchantId: 'shop',
      targetUrl: 'https://shop.example.com/',
      disabled: false,
      createdAt: '2026-10-01T00:00:00.000Z',
      updatedAt: '2026-10-01T00:00:00.000Z',
    });
    await expect(linkRepo(stores.tables.config).get('legacy-link')).resolves.toMatchObject({
      code: 'legacy-link',
      influencerId: 'anna',
      disabled: false,
    });
  });
});
