/**
 * Test data through the admin API, as an operator would create it (CONTRACT §5), and the shopper
 * the load generator plays: a desktop browser that already carries a valid visitor cookie, so every
 * request is a real, logged, attributable click and none of them is a first visit.
 */

/** A current desktop Chrome; `isbot` classifies it as a browser, so the click gets an id. */
export const BROWSER_USER_AGENT =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
/** A valid `vid` (22+ URL-safe characters), the same for every request of the run. */
export const VISITOR_ID = 'bench_visitor_0000000001';

export const shopperHeaders = {
  'user-agent': BROWSER_USER_AGENT,
  cookie: `vid=${VISITOR_ID}`,
};

export interface WarmLink {
  code: string;
  url: string;
  clickIdParam: string;
}

export async function createLink(baseUrl: string, adminToken: string): Promise<WarmLink> {
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 201) throw new Error(`POST ${path} answered ${res.status}: ${await res.text()}`);
  };
  await post('/admin/merchants', {
    merchantId: 'bench-shop',
    name: 'Bench Shop',
    allowedDomains: ['shop.example.com'],
    currency: 'USD',
    clickIdParam: 'clk',
    commission: { defaultBps: 500 },
  });
  await post('/admin/influencers', { influencerId: 'bench-inf', handle: 'bench_inf', name: 'Bench' });
  await post('/admin/links', {
    code: 'bench-1',
    influencerId: 'bench-inf',
    merchantId: 'bench-shop',
    targetUrl: 'https://shop.example.com/products/42?ref=bench',
    campaign: 'bench',
  });
  return { code: 'bench-1', url: `${baseUrl}/bench-1`, clickIdParam: 'clk' };
}

/**
 * One request as the load generator sends it, checked: a 302 to the target carrying a click id,
 * and no new cookie (the presented visitor id was reused). Returns the click id.
 */
export async function followAsShopper(link: WarmLink): Promise<string> {
  const res = await fetch(link.url, { headers: shopperHeaders, redirect: 'manual' });
  await res.arrayBuffer();
  const location = res.headers.get('location') ?? '';
  const clickId = location ? new URL(location).searchParams.get(link.clickIdParam) : null;
  if (res.status !== 302 || !clickId) {
    throw new Error(`GET ${link.url} answered ${res.status} to ${location || 'nowhere'}, not a tracked 302`);
  }
  if (res.headers.get('set-cookie')) throw new Error('The valid vid cookie was not reused');
  return clickId;
}

/** Polls until the server answers 200, or fails with what the server printed. */
export async function waitForHealthy(url: string, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const status = await fetch(url).then(
      (res) => res.arrayBuffer().then(() => res.status),
      () => 0, // Not listening yet.
    );
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s. Output:\n${output()}`);
}
