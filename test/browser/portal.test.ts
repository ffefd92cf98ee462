/**
 * The influencer portal in a real browser: `npm start` as a child process, a merchant with clicks,
 * an order of this month and a paid payout of last month, and Debian's headless Chromium at a
 * phone's viewport. The influencer signs in through a login link, sees the figures of the influencer
 * report, makes a link through the form, opens its QR code (decoded back to the short URL) and
 * downloads a statement; a reused login link is refused, and a form post without the session's
 * CSRF token is 403, and signing out ends the session. The page is saved as
 * test-artifacts/portal.png (and to docs/ by `npm run screenshots`).
 *
 * Without Chromium a developer's run skips this file with a notice (CI=true fails it instead).
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import jsQR from 'jsqr';
import { formatMinor } from '../../functions/common/domain/money-text';
import {
  type Browser,
  browserRequired,
  chromiumMissing,
  launchChromium,
  PHONE,
} from '../support/browser-chromium';
import {
  clickThrough,
  createInfluencer,
  createLink,
  createMerchant,
  postWebhook,
  SHOP_DOMAIN,
  waitForOrder,
} from '../support/e2e-fixtures';
import { AdminClient, BROWSER_UA, HttpClient, pollUntil, uniqueId } from '../support/e2e-http';
import { type E2eRuntime, removeDataDir, startRuntime } from '../support/e2e-runtime';
import { oneLineError } from '../support/prerequisites';

const repoRoot = resolve(__dirname, '..', '..');

let runtime: E2eRuntime | undefined;
let browser: Browser | undefined;

afterAll(async () => {
  await browser?.close();
  if (runtime) {
    await runtime.stop();
    removeDataDir(runtime.dataDir);
  }
}, 60_000);

const missing = chromiumMissing();
const skipped = missing !== undefined && !browserRequired();
if (skipped) process.stderr.write(`\nNOTICE: browser layer skipped. ${missing}\n\n`);
const title =
  'signs in with a login link, shows the report figures, makes a link, opens its QR code and a statement';

interface Report {
  clicks: number;
  currencies: Array<{ currency: string; orders: number; commissionMinor: number }>;
}

(skipped ? it.skip : it)(skipped ? `${title} (${missing})` : title, async () => {
  if (missing) throw oneLineError(`${missing} (CI=true: the browser layer may not be skipped)`);
  browser = await launchChromium({ context: { ...PHONE, acceptDownloads: true } });
  runtime = await startRuntime();
  const api = new AdminClient(runtime.baseUrl, runtime.adminToken);
  const shopper = new HttpClient(runtime.baseUrl, { 'user-agent': BROWSER_UA });

  const merchant = await createMerchant(api, {
    name: 'Localtest Shop',
    holdDays: 0,
    commission: { defaultBps: 1000 },
  });
  const coupon = uniqueId('PORTAL').toUpperCase();
  const influencer = await createInfluencer(api, { name: 'Anna Example', couponCodes: [coupon] });
  const link = await createLink(api, {
    code: uniqueId('pt'),
    influencerId: influencer.influencerId,
    merchantId: merchant.merchantId,
    targetUrl: `https://${SHOP_DOMAIN}/product/1`,
  });
  const clickIds = [];
  for (let i = 0; i < 3; i++) clickIds.push(await clickThrough(shopper, link.code));

  // An order of now, through a click; one of last month, through the coupon, paid by last month's run.
  const now = new Date();
  const lastMonthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1, 10));
  const lastPeriod = lastMonthStart.toISOString().slice(0, 7);
  const orders = [
    { orderId: uniqueId('now'), occurredAt: now.toISOString(), clickId: clickIds[0], unitPriceMinor: 4250 },
    {
      orderId: uniqueId('last'),
      occurredAt: lastMonthStart.toISOString(),
      couponCode: coupon,
      unitPriceMinor: 20_000,
    },
  ];
  for (const { unitPriceMinor, ...order } of orders) {
    const res = await postWebhook(shopper, merchant.merchantId, merchant.webhookSecret, {
      type: 'order.created',
      currency: 'USD',
      lines: [{ sku: 'SKU-1', quantity: 1, unitPriceMinor }],
      ...order,
    });
    expect(res.status).toBe(202);
    expect((await waitForOrder(api, merchant.merchantId, order.orderId)).status).toBe('credited');
  }
  const run = await api.post('/admin/payouts/runs', { period: lastPeriod });
  expect(run.status).toBe(200);

  // The influencer report of this month, once the counters show the clicks and the order.
  const today = now.toISOString().slice(0, 10);
  const reportPath = `/admin/reports/influencers/${influencer.influencerId}?from=${today.slice(0, 7)}-01&to=${today}`;
  const report = (await pollUntil(
    async () => (await api.get(reportPath)).json() as Report,
    (r) => r.clicks === 3 && r.currencies[0]?.orders === 1,
    15_000,
    200,
  )) as Report;
  expect(report.clicks).toBe(3);

  // Signing in: the login link sets the session and lands on the dashboard.
  const login = (await api.post(`/admin/influencers/${influencer.influencerId}/login-links`, {})).json() as {
    url: string;
  };
  const page = await browser.context.newPage();
  const signedIn = await page.goto(login.url, { waitUntil: 'load' });
  expect(signedIn?.status()).toBe(200);
  expect(new URL(page.url()).pathname).toBe('/portal');
  expect(await page.locator('h1').textContent()).toBe('Hello, Anna Example');
  const usd = report.currencies[0];
  expect(await page.locator('#month-clicks').textContent()).toBe(String(report.clicks));
  expect(await page.locator('#month-orders').textContent()).toBe(String(usd?.orders));
  expect(await page.locator('#month-commission').textContent()).toBe(
    formatMinor(usd?.commissionMinor ?? -1, 'USD'),
  );
  expect(await page.locator('#paid').textContent()).toBe(formatMinor(2000, 'USD'));
  expect(await page.locator('#unpaid').textContent()).toBe(formatMinor(425, 'USD'));
  expect(Number(await page.evaluate('document.documentElement.scrollWidth'))).toBeLessThanOrEqual(390);

  // A reused login link is refused, and the session goes on.
  const reused = await (await browser.context.newPage()).goto(login.url);
  expect(reused?.status()).toBe(401);

  // The form makes a link for the merchant.
  const newCode = uniqueId('form');
  await page.selectOption('#merchantId', merchant.merchantId);
  await page.fill('#targetUrl', `https://${SHOP_DOMAIN}/product/hat`);
  await page.fill('#code', newCode);
  await Promise.all([page.waitForURL(/\/portal\?created=/), page.click('button[type=submit]')]);
  expect(await page.locator('.notice').textContent()).toContain(newCode);
  const row = page.locator(`li[data-code="${newCode}"]`);
  expect(await row.locator('.code').textContent()).toBe(`${runtime.baseUrl}/${newCode}`);

  mkdirSync(join(repoRoot, 'test-artifacts'), { recursive: true });
  const screenshot = join(repoRoot, 'test-artifacts', 'portal.png');
  await page.screenshot({ path: screenshot, fullPage: true });
  // Only on request (npm run screenshots): a test run must not change tracked files.
  if (process.env.UPDATE_SCREENSHOTS === '1') copyFileSync(screenshot, join(repoRoot, 'docs', 'portal.png'));

  // Its QR code, drawn by Chromium and read back by a QR decoder, is the short URL.
  const qrHref = (await row.locator('a.btn').getAttribute('href')) ?? '';
  const qr = await page.request.get(new URL(qrHref, runtime.baseUrl).toString());
  expect(qr.status()).toBe(200);
  expect(qr.headers()['content-type']).toBe('image/svg+xml');
  const svg = await qr.text();
  const canvasPage = await browser.context.newPage();
  const size = 400;
  const pixels = (await canvasPage.evaluate(
    `new Promise((done, fail) => {
      const img = new Image();
      img.onload = () => {
        const canvas = document.createElement('canvas');
        canvas.width = ${size}; canvas.height = ${size};
        const ctx = canvas.getContext('2d');
        ctx.drawImage(img, 0, 0, ${size}, ${size});
        done(Array.from(ctx.getImageData(0, 0, ${size}, ${size}).data));
      };
      img.onerror = () => fail(new Error('the SVG did not load'));
      img.src = 'data:image/svg+xml;base64,' + ${JSON.stringify(Buffer.from(svg).toString('base64'))};
    })`,
  )) as number[];
  const decoded = jsQR(Uint8ClampedArray.from(pixels), size, size);
  expect(decoded?.data).toBe(`${runtime.baseUrl}/${newCode}`);

  // The statement of last month's payout downloads with the session.
  const payoutRow = page.locator(`li[data-period="${lastPeriod}"]`);
  const [download] = await Promise.all([page.waitForEvent('download'), payoutRow.locator('a.btn').click()]);
  const csv = readFileSync((await download.path()) ?? '', 'utf8');
  expect(csv).toContain(orders[1]?.orderId);

  // A form post without the session's token is refused, and makes nothing.
  await page.evaluate(`document.querySelector('input[name=csrf]').remove()`);
  await page.fill('#targetUrl', `https://${SHOP_DOMAIN}/product/forged`);
  await page.fill('#code', `${newCode}-x`);
  const [forged] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/portal/links')),
    page.click('button[type=submit]'),
  ]);
  expect(forged.status()).toBe(403);
  expect((await api.get(`/admin/links/${newCode}-x`)).status).toBe(404);

  // Signing out ends the session: the portal is the sign-in page again.
  await page.goto(`${runtime.baseUrl}/portal`);
  await page.click('form.signout button');
  expect(await page.locator('h1').textContent()).toBe('Signed out');
  expect((await page.goto(`${runtime.baseUrl}/portal`))?.status()).toBe(401);
});
