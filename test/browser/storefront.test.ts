/**
 * A storefront in a real browser: `npm start` as a child process, a merchant whose site is an https
 * stand-in on loopback, a storefront made through the admin API, and Debian's headless Chromium at
 * a phone's viewport. The shopper sees the items (markup in a note shown as text), taps one, is sent
 * through the short link to the merchant, and the merchant receives the click id and the storefront
 * marker. The page is saved as test-artifacts/storefront.png, and by `npm run screenshots` to docs/ for the
 * README.
 *
 * Without Chromium a developer's run skips this file with a notice (CI=true fails it instead).
 * The starts run one after another, each kept for afterAll before the next begins, cheapest and
 * likeliest to fail first: a failure half way stops whatever had started.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import {
  type Browser,
  browserRequired,
  chromiumMissing,
  launchChromium,
  PHONE,
} from '../support/browser-chromium';
import { SHOP_HOST, type ShopStandIn, startShopStandIn } from '../support/browser-shop';
import { createInfluencer, createLink, createMerchant } from '../support/e2e-fixtures';
import { AdminClient, bodyOf, clickSchema, uniqueId } from '../support/e2e-http';
import { type E2eRuntime, removeDataDir, scanTable, startRuntime } from '../support/e2e-runtime';
import { oneLineError } from '../support/prerequisites';

const repoRoot = resolve(__dirname, '..', '..');
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

let runtime: E2eRuntime | undefined;
let shop: ShopStandIn | undefined;
let browser: Browser | undefined;

afterAll(async () => {
  // Both are closed even if one of them fails to.
  await Promise.allSettled([browser?.close(), shop?.close()]);
  if (runtime) {
    await runtime.stop();
    removeDataDir(runtime.dataDir);
  }
}, 60_000);

const missing = chromiumMissing();
const skipped = missing !== undefined && !browserRequired();
if (skipped) process.stderr.write(`\nNOTICE: browser layer skipped. ${missing}\n\n`);
const title =
  'shows a storefront on a phone and carries a tap through the short link to the merchant with a click id';

(skipped ? it.skip : it)(skipped ? `${title} (${missing})` : title, async () => {
  if (missing) throw oneLineError(`${missing} (CI=true: the browser layer may not be skipped)`);
  browser = await launchChromium({
    context: PHONE,
    mapHostsToLoopback: [SHOP_HOST],
    ignoreCertificateErrors: true,
  });
  shop = await startShopStandIn();
  runtime = await startRuntime();
  const api = new AdminClient(runtime.baseUrl, runtime.adminToken);

  const merchant = await createMerchant(api, { name: 'Localtest Shop', allowedDomains: [SHOP_HOST] });
  const influencer = await createInfluencer(api, { name: 'Anna Example' });
  const products = [
    { art: 'shirt', title: 'Linen camp-collar shirt', note: 'Runs a size small: I wear an M.' },
    { art: 'hat', title: 'Wide-brim straw hat', note: 'Packs flat, springs back.' },
    { art: 'glasses', title: 'Polarised sunglasses', note: '<b>Not bold</b>: markup shows as text.' },
    { art: 'bag', title: 'Canvas beach tote' },
  ];
  const items = [];
  for (const [index, product] of products.entries()) {
    const link = await createLink(api, {
      code: uniqueId('sf'),
      influencerId: influencer.influencerId,
      merchantId: merchant.merchantId,
      targetUrl: `${shop.origin}/product/${index + 1}`,
    });
    items.push({
      code: link.code,
      title: product.title,
      imageUrl: `${shop.origin}/img/${product.art}.svg`,
      ...(product.note ? { note: product.note } : {}),
    });
  }
  const handle = uniqueId('anna');
  const created = await api.request('PUT', `/admin/storefronts/${handle}`, {
    json: { influencerId: influencer.influencerId, title: 'Summer essentials', items },
  });
  expect(created.status).toBe(200);

  const page: Page = await browser.context.newPage();
  const response = await page.goto(`${runtime.baseUrl}/s/${handle}`, { waitUntil: 'load' });
  expect(response?.status()).toBe(200);
  expect(await page.title()).toBe('Summer essentials · Anna Example');

  const cards = page.locator('a.card');
  expect(await cards.count()).toBe(products.length);
  for (const [index, product] of products.entries()) {
    const card = cards.nth(index);
    expect(await card.isVisible()).toBe(true);
    expect(await card.locator('h2').textContent()).toBe(product.title);
  }
  // Two columns on a phone: the first two cards share a row, and nothing overflows sideways.
  const [first, second] = await Promise.all([cards.nth(0).boundingBox(), cards.nth(1).boundingBox()]);
  expect(first?.y).toBe(second?.y);
  expect(Number(await page.evaluate('document.documentElement.scrollWidth'))).toBeLessThanOrEqual(390);
  // The note's markup reached the page as text, not as an element.
  expect(await cards.nth(2).locator('.note').textContent()).toBe('<b>Not bold</b>: markup shows as text.');
  expect(await page.locator('.note b').count()).toBe(0);

  // Every image arrives (lazy, but all in the first screen) before the screenshot.
  // (A string: the test is type-checked without the DOM library.)
  await page.waitForFunction(
    '[...document.images].every((img) => img.complete && img.naturalWidth > 0)',
    null,
    {
      timeout: 10_000,
    },
  );
  mkdirSync(join(repoRoot, 'test-artifacts'), { recursive: true });
  const screenshot = join(repoRoot, 'test-artifacts', 'storefront.png');
  await page.screenshot({ path: screenshot, fullPage: true });
  // Only on request (npm run screenshots): a test run must not change tracked files.
  if (process.env.UPDATE_SCREENSHOTS === '1')
    copyFileSync(screenshot, join(repoRoot, 'docs', 'storefront.png'));

  // The tap: through the short link (a 302 with a click id) to the merchant's product page.
  const shopOrigin = shop.origin;
  await Promise.all([
    page.waitForURL((url) => url.origin === shopOrigin && url.pathname === '/product/2'),
    cards.nth(1).tap(),
  ]);
  expect(await page.locator('#product').textContent()).toBe('Product page');
  const arrived = shop.requests.find((url) => url.pathname === '/product/2');
  const clickId = arrived?.searchParams.get('clk') ?? '';
  expect(clickId).toMatch(ULID);
  expect(arrived?.searchParams.get('utm_source')).toBe('storefront');
  expect(arrived?.searchParams.get('utm_medium')).toBe('influencer_storefront');

  // The click was logged as a shopper's click on that link, carrying the marker.
  const click = bodyOf(await api.get(`/admin/clicks/${clickId}`), clickSchema);
  expect(click).toMatchObject({ code: items[1]?.code, influencerId: influencer.influencerId, bot: false });
  expect((click as { utm?: Record<string, string> }).utm).toMatchObject({ utm_source: 'storefront' });

  // And the page view was counted once.
  const views = (await scanTable(runtime, 'clicks')).filter(
    (item) => item.itemType === 'storefront_view' && item.handle === handle,
  );
  expect(views).toHaveLength(1);
});
