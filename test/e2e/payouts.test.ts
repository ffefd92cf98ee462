/**
 * End to end, over real HTTP against `npm start`: payouts (CONTRACT §5 payout routes, §7 clawbacks,
 * §8). Orders of September and October 2026, in two currencies, are credited through signed webhooks
 * (coupon attribution: a click made today cannot precede an order dated in the past); then the
 * periods are run with `POST /admin/payouts/runs` and with `npm run payout`, and the results are read
 * back through the run, the order views and the CSV statements.
 *
 * The tests run in order and build on each other: 2026-09 is run first, then a refund of a paid
 * order, then 2026-10. The local monthly payout timer is off (the harness sets
 * PAYOUT_SCHEDULE_EVERY_MS=0), so only these tests start runs.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInfluencer, createMerchant, postWebhook, waitForOrder } from '../support/e2e-fixtures';
import {
  AdminClient,
  bodyOf,
  errorBodySchema,
  HttpClient,
  type HttpResponse,
  type OrderView,
  type PayoutRunView,
  payoutRunSchema,
  uniqueId,
  webhookAcceptedSchema,
} from '../support/e2e-http';
import { type E2eRuntime, removeDataDir, startRuntime } from '../support/e2e-runtime';

const repoRoot = resolve(__dirname, '..', '..');

let runtime: E2eRuntime;
let admin: AdminClient;
let shop: HttpClient;

interface MerchantFixture {
  merchantId: string;
  secret: string;
}
/** holdDays 0: a credit is payable from the order's own time. 10 %, beauty 15 %. */
let noHold: MerchantFixture;
/** holdDays 30. 10 %. */
let hold30: MerchantFixture;

/** payoutMinimumMinor 1000 (the default). */
const anna = { id: '', coupon: '' };
/** payoutMinimumMinor 50 000: everything of hers is carried over. */
const ben = { id: '', coupon: '' };
/** payoutMinimumMinor 750: exactly her September total (at or above the minimum is payable). */
const dana = { id: '', coupon: '' };

interface PlacedOrder {
  merchant: MerchantFixture;
  orderId: string;
  sku: string;
}

/** Every order of the scenario, by name; commission in the comment. */
const placed: Record<string, PlacedOrder> = {};

beforeAll(async () => {
  runtime = await startRuntime();
  admin = new AdminClient(runtime.baseUrl, runtime.adminToken);
  shop = new HttpClient(runtime.baseUrl);

  const merchant = async (overrides: Record<string, unknown>): Promise<MerchantFixture> => {
    const created = await createMerchant(admin, overrides);
    return { merchantId: created.merchantId, secret: created.webhookSecret };
  };
  [noHold, hold30] = await Promise.all([
    merchant({ holdDays: 0, commission: { defaultBps: 1000, categoryBps: { beauty: 1500 } } }),
    merchant({ holdDays: 30, commission: { defaultBps: 1000 } }),
  ]);
  const influencer = async (who: { id: string; coupon: string }, overrides: Record<string, unknown>) => {
    who.coupon = uniqueId('PAY').toUpperCase();
    who.id = (await createInfluencer(admin, { couponCodes: [who.coupon], ...overrides })).influencerId;
  };
  await Promise.all([
    influencer(anna, {}),
    influencer(ben, { payoutMinimumMinor: 50_000 }),
    influencer(dana, { payoutMinimumMinor: 750 }),
  ]);

  const order = async (
    name: string,
    m: MerchantFixture,
    who: { coupon: string },
    occurredAt: string,
    currency: string,
    line: { category?: string; quantity: number; unitPriceMinor: number },
  ) => {
    const orderId = uniqueId(name);
    const sku = `SKU-${name}`;
    placed[name] = { merchant: m, orderId, sku };
    const res = await postWebhook(shop, m.merchantId, m.secret, {
      type: 'order.created',
      orderId,
      occurredAt,
      currency,
      couponCode: who.coupon,
      lines: [{ sku, ...line }],
    });
    expectAccepted(res);
  };
  await Promise.all([
    // anna, USD, September: 750 + 2 000 + 500 (the last one exactly at the cut-off).
    order('S1', noHold, anna, '2026-09-03T10:00:00.000Z', 'USD', {
      category: 'beauty',
      quantity: 2,
      unitPriceMinor: 2500,
    }),
    order('S3', noHold, anna, '2026-09-30T23:59:59.999Z', 'USD', { quantity: 1, unitPriceMinor: 20_000 }),
    order('S0', noHold, anna, '2026-10-01T00:00:00.000Z', 'USD', { quantity: 1, unitPriceMinor: 5000 }),
    // anna, EUR, September: 3 000.
    order('S2', noHold, anna, '2026-09-10T08:30:00.000Z', 'EUR', { quantity: 1, unitPriceMinor: 30_000 }),
    // ben, USD, September: 1 000, below his minimum.
    order('S4', noHold, ben, '2026-09-15T12:00:00.000Z', 'USD', { quantity: 1, unitPriceMinor: 10_000 }),
    // dana, USD, September: 750, exactly her minimum.
    order('S6', noHold, dana, '2026-09-20T12:00:00.000Z', 'USD', { quantity: 3, unitPriceMinor: 2500 }),
    // anna, USD, September but held 30 days: eligible 2026-10-20, so October's: 1 200.
    order('S5', hold30, anna, '2026-09-20T00:00:00.000Z', 'USD', { quantity: 1, unitPriceMinor: 12_000 }),
    // anna, USD, a millisecond after September's cut-off: October's, 2 500.
    order('O1', noHold, anna, '2026-10-01T00:00:00.001Z', 'USD', { quantity: 1, unitPriceMinor: 25_000 }),
    // anna, USD, November: in no run of these tests, 900.
    order('N1', noHold, anna, '2026-11-02T00:00:00.000Z', 'USD', { quantity: 1, unitPriceMinor: 9000 }),
  ]);
  for (const { merchant: m, orderId } of Object.values(placed)) {
    const view = await waitForOrder(admin, m.merchantId, orderId);
    if (view.status !== 'credited') throw new Error(`Order ${orderId} not credited: ${JSON.stringify(view)}`);
  }
}, 90_000);

afterAll(async () => {
  if (!runtime) return;
  await runtime.stop('SIGKILL');
  removeDataDir(runtime.dataDir);
}, 30_000);

function expectAccepted(res: HttpResponse) {
  expect({ status: res.status, body: res.text }).toEqual({ status: 202, body: expect.any(String) });
  expect(bodyOf(res, webhookAcceptedSchema).status).toBe('accepted');
}

function order(name: string): PlacedOrder {
  const found = placed[name];
  if (!found) throw new Error(`No order ${name} in the scenario`);
  return found;
}

const viewOf = (name: string, done?: (o: OrderView) => boolean) => {
  const { merchant, orderId } = order(name);
  return waitForOrder(admin, merchant.merchantId, orderId, done);
};

const attributionStatus = async (name: string) => (await viewOf(name)).attributions.map((a) => a.status);

async function runPeriod(period: string): Promise<{ status: number; run: PayoutRunView; text: string }> {
  const res = await admin.post('/admin/payouts/runs', { period });
  if (res.status !== 200) return { status: res.status, run: { period, payouts: [] }, text: res.text };
  return { status: res.status, run: bodyOf(res, payoutRunSchema), text: res.text };
}

/** The payouts of a run in a stable order (the contract does not fix one). */
const sorted = (run: PayoutRunView) =>
  [...run.payouts].sort(
    (a, b) => a.influencerId.localeCompare(b.influencerId) || a.currency.localeCompare(b.currency),
  );

const SEPTEMBER = () =>
  [
    { influencerId: anna.id, currency: 'EUR', amountMinor: 3000, items: 1, status: 'payable' },
    { influencerId: anna.id, currency: 'USD', amountMinor: 750 + 2000 + 500, items: 3, status: 'payable' },
    { influencerId: ben.id, currency: 'USD', amountMinor: 1000, items: 1, status: 'carried_over' },
    { influencerId: dana.id, currency: 'USD', amountMinor: 750, items: 1, status: 'payable' },
  ].sort((a, b) => a.influencerId.localeCompare(b.influencerId) || a.currency.localeCompare(b.currency));

/** The CSV statement, as rows of cells keyed by the header's column names. */
function parseCsv(text: string): { header: string[]; rows: Array<Record<string, string>> } {
  const [head = '', ...lines] = text.trimEnd().split(/\r?\n/);
  const header = head.split(',');
  const rows = lines.map((line) => {
    // The ids of these tests need no quoting; a quoted cell would show up as a mismatch.
    const cells = line.split(',');
    return Object.fromEntries(header.map((name, i) => [name, cells[i] ?? '']));
  });
  return { header, rows };
}

/** The name of the header column that matches `pattern` (exactly one must). */
function column(header: string[], pattern: RegExp): string {
  const names = header.filter((name) => pattern.test(name));
  expect({ pattern: String(pattern), names: names.length }).toEqual({ pattern: String(pattern), names: 1 });
  return names[0] ?? '';
}

let september: PayoutRunView;

describe('period 2026-09', () => {
  test('POST /admin/payouts/runs: one payout per influencer and currency, payable or carried over; two overlapping runs agree', async () => {
    const [first, second] = await Promise.all([runPeriod('2026-09'), runPeriod('2026-09')]);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    september = first.run;
    expect(september.period).toBe('2026-09');
    expect(sorted(september)).toEqual(SEPTEMBER().map((p) => expect.objectContaining(p)));
    expect(second.run).toEqual(first.run);
  });

  test('the order views show what was paid: paid credits of payable payouts, unpaid ones otherwise', async () => {
    const statuses = Object.fromEntries(
      await Promise.all(
        ['S0', 'S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'O1', 'N1'].map(
          async (name) => [name, await attributionStatus(name)] as const,
        ),
      ),
    );
    expect(statuses).toEqual({
      S0: ['paid'], // exactly at the cut-off: "at or before"
      S1: ['paid'],
      S2: ['paid'],
      S3: ['paid'],
      S4: ['unpaid'], // carried over
      S5: ['unpaid'], // still on hold at the cut-off
      S6: ['paid'],
      O1: ['unpaid'], // after the cut-off
      N1: ['unpaid'],
    });
  });

  test('running it again returns the stored result; GET /admin/payouts?period= returns it too', async () => {
    const again = await runPeriod('2026-09');
    expect(again.status).toBe(200);
    expect(again.run).toEqual(september);
    const read = await admin.get('/admin/payouts?period=2026-09');
    expect(read.status).toBe(200);
    expect(bodyOf(read, payoutRunSchema)).toEqual(september);
    // Nothing more became paid by the second run.
    expect(await attributionStatus('S4')).toEqual(['unpaid']);
  });

  test('a new period earlier than the latest run is 409; a malformed period is 400', async () => {
    const earlier = await admin.post('/admin/payouts/runs', { period: '2026-08' });
    expect(earlier.status).toBe(409);
    bodyOf(earlier, errorBodySchema);
    for (const period of ['2026-13', '2026-9', '2026-09-01', 202609]) {
      const bad = await admin.post('/admin/payouts/runs', { period });
      expect({ period, status: bad.status }).toEqual({ period, status: 400 });
      bodyOf(bad, errorBodySchema);
    }
    // Neither created a run.
    expect((await admin.get('/admin/payouts?period=2026-08')).status).not.toBe(200);
  });

  test('the CSV statement of a payable payout: header, one row per order, totals per currency', async () => {
    const res = await admin.get(`/admin/payouts/${anna.id}/2026-09/statement.csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type') ?? '').toMatch(/^text\/csv/);
    const { header, rows } = parseCsv(res.text);
    const orderCol = column(header, /order.?id/i);
    const merchantCol = column(header, /merchant/i);
    const timeCol = column(header, /time|date/i);
    const currencyCol = column(header, /currency/i);
    const creditCol = column(header, /credit/i);
    const adjustmentsCol = column(header, /adjust/i);
    const totalCol = column(header, /total/i);

    const ids = Object.fromEntries(['S0', 'S1', 'S2', 'S3'].map((name) => [order(name).orderId, name]));
    const orderRows = rows.filter((row) => (row[orderCol] ?? '') in ids);
    expect(orderRows).toHaveLength(4);
    const byName = Object.fromEntries(
      orderRows.map((row) => [
        ids[row[orderCol] ?? ''],
        [
          row[merchantCol],
          row[timeCol],
          row[currencyCol],
          row[creditCol],
          row[adjustmentsCol],
          row[totalCol],
        ],
      ]),
    );
    const m = noHold.merchantId;
    expect(byName).toEqual({
      S0: [m, '2026-10-01T00:00:00.000Z', 'USD', '500', '0', '500'],
      S1: [m, '2026-09-03T10:00:00.000Z', 'USD', '750', '0', '750'],
      S2: [m, '2026-09-10T08:30:00.000Z', 'EUR', '3000', '0', '3000'],
      S3: [m, '2026-09-30T23:59:59.999Z', 'USD', '2000', '0', '2000'],
    });
    // Everything else is totals, one per currency, equal to the payouts.
    const totals = rows.filter((row) => !((row[orderCol] ?? '') in ids));
    expect(totals.map((row) => [row[currencyCol], row[totalCol]]).sort()).toEqual([
      ['EUR', '3000'],
      ['USD', '3250'],
    ]);

    // A carried-over payout has no statement.
    expect((await admin.get(`/admin/payouts/${ben.id}/2026-09/statement.csv`)).status).toBe(404);
  });
});

describe('period 2026-10', () => {
  test('a refund of a paid order becomes a clawback, netted in the next run by `npm run payout`', async () => {
    const s3 = order('S3');
    const refund = await postWebhook(shop, s3.merchant.merchantId, s3.merchant.secret, {
      type: 'order.refunded',
      orderId: s3.orderId,
      occurredAt: '2026-10-05T12:00:00.000Z',
      lines: [{ sku: s3.sku, quantity: 1 }],
    });
    expectAccepted(refund);
    // dana's only credit, paid in September, is cancelled too: her October total is negative.
    const s6 = order('S6');
    expectAccepted(
      await postWebhook(shop, s6.merchant.merchantId, s6.merchant.secret, {
        type: 'order.cancelled',
        orderId: s6.orderId,
        occurredAt: '2026-10-06T00:00:00.000Z',
      }),
    );
    const danaClawback = await viewOf('S6', (o) => (o.adjustments ?? []).length > 0);
    expect(danaClawback.adjustments).toEqual([
      expect.objectContaining({ influencerId: dana.id, amountMinor: -750, status: 'unpaid' }),
    ]);
    const refunded = await viewOf('S3', (o) => (o.adjustments ?? []).length > 0);
    expect(refunded.amountMinor).toBe(0);
    expect(refunded.attributions).toEqual([
      expect.objectContaining({ influencerId: anna.id, status: 'paid' }),
    ]);
    expect(refunded.adjustments).toEqual([
      expect.objectContaining({ influencerId: anna.id, amountMinor: -2000, status: 'unpaid' }),
    ]);

    const cli = await runPayoutCli(['--period', '2026-10']);
    expect({ code: cli.code, stderr: cli.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    let printed: unknown;
    try {
      printed = JSON.parse(cli.stdout);
    } catch {
      throw new Error(`npm run payout did not print JSON:\n${cli.stdout}\n${cli.stderr}`);
    }
    const october = payoutRunSchema.parse(printed);
    expect(october.period).toBe('2026-10');
    expect(sorted(october)).toEqual(
      [
        // 2 500 (O1) + 1 200 (S5, off hold on 2026-10-20) − 2 000 (the clawback of S3).
        { influencerId: anna.id, currency: 'USD', amountMinor: 1700, items: 3, status: 'payable' },
        // Still below the minimum: carried over again, still one item.
        { influencerId: ben.id, currency: 'USD', amountMinor: 1000, items: 1, status: 'carried_over' },
        // Only the clawback of S6: a negative total is carried over.
        { influencerId: dana.id, currency: 'USD', amountMinor: -750, items: 1, status: 'carried_over' },
      ]
        .sort((a, b) => a.influencerId.localeCompare(b.influencerId))
        .map((p) => expect.objectContaining(p)),
    );
    const read = await admin.get('/admin/payouts?period=2026-10');
    expect(bodyOf(read, payoutRunSchema)).toEqual(october);

    const afterRun = await viewOf('S3');
    expect(afterRun.adjustments).toEqual([
      expect.objectContaining({ influencerId: anna.id, amountMinor: -2000, status: 'paid' }),
    ]);
    expect(await attributionStatus('S5')).toEqual(['paid']);
    expect(await attributionStatus('O1')).toEqual(['paid']);
    expect(await attributionStatus('S4')).toEqual(['unpaid']);
    expect(await attributionStatus('N1')).toEqual(['unpaid']);
    // A carried-over negative total marks nothing paid.
    expect((await viewOf('S6')).adjustments).toEqual([expect.objectContaining({ status: 'unpaid' })]);

    // The clawback is on October's statement, on its order's row.
    const statement = await admin.get(`/admin/payouts/${anna.id}/2026-10/statement.csv`);
    expect(statement.status).toBe(200);
    const { header, rows } = parseCsv(statement.text);
    const orderCol = column(header, /order.?id/i);
    const pick = (orderId: string) => {
      const row = rows.find((r) => r[orderCol] === orderId);
      return (
        row && [row[column(header, /credit/i)], row[column(header, /adjust/i)], row[column(header, /total/i)]]
      );
    };
    expect({
      S3: pick(s3.orderId),
      S5: pick(order('S5').orderId),
      O1: pick(order('O1').orderId),
    }).toEqual({ S3: ['0', '-2000', '-2000'], S5: ['1200', '0', '1200'], O1: ['2500', '0', '2500'] });
    // September's stored result did not change, and running it again (now before the latest run)
    // still returns it rather than a 409.
    expect(bodyOf(await admin.get('/admin/payouts?period=2026-09'), payoutRunSchema)).toEqual(september);
    const rerun = await runPeriod('2026-09');
    expect({ status: rerun.status, run: rerun.run }).toEqual({ status: 200, run: september });
  });

  test('`npm run payout` with a malformed period exits non-zero and says how to call it', async () => {
    const cli = await runPayoutCli(['--period', '2026-1']);
    expect(cli.code).not.toBe(0);
    expect(cli.code).not.toBeNull();
    expect(cli.stderr).toMatch(/--period YYYY-MM/);
  });
});

/** `npm run -s payout -- …` against the running instance (its PORT and ADMIN_TOKEN). */
function runPayoutCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(runtime.port),
    ADMIN_TOKEN: runtime.adminToken,
  };
  delete env.CREDITLINK_URL;
  return new Promise((done, fail) => {
    const child = spawn('npm', ['run', '-s', 'payout', '--', ...args], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      fail(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}
