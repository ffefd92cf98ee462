/**
 * The influencer portal against DynamoDB Local, through its own handler and the admin's: one-time
 * login links (single use even when opened twice at once, refused when expired or unknown, stored
 * only hashed), the session cookie, the dashboard's headers and escaping, and the link form (403
 * without the session's CSRF token, errors beside the field, nothing written on any refusal), and
 * signing out.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { BROWSER_UA, context, httpEvent } from '../support/events';
import { useTestStores } from '../support/stores';

type Result = {
  statusCode: number;
  headers?: Record<string, string | number | boolean>;
  cookies?: string[];
  body?: string;
};
type Handler = (e: APIGatewayProxyEventV2, c: ReturnType<typeof context>) => Promise<Result>;
type Item = Record<string, unknown>;

let admin: Handler;
let portal: Handler;
let configTable: string;
let dynamo: typeof import('../../functions/common/clients/aws').dynamo;

const adminCall = async (
  method: string,
  route: string,
  opts: Partial<Parameters<typeof httpEvent>[0]> = {},
) => {
  const res = await admin(httpEvent({ method, route, admin: true, ...opts }), context());
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
};

const portalCall = (
  method: string,
  route: string,
  opts: { path?: string; pathParameters?: Record<string, string>; cookies?: string[]; form?: string } = {},
) =>
  portal(
    httpEvent({
      method,
      route,
      path: opts.path ?? route,
      ...(opts.pathParameters ? { pathParameters: opts.pathParameters } : {}),
      headers: {
        'user-agent': BROWSER_UA,
        ...(opts.form !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(opts.cookies ? { cookies: opts.cookies } : {}),
      ...(opts.form !== undefined ? { body: opts.form } : {}),
    }),
    context('portal'),
  );

const tokenOf = (url: string) => url.slice(url.lastIndexOf('/') + 1);
const open = (token: string) =>
  portalCall('GET', '/portal/login/{token}', { path: `/portal/login/${token}`, pathParameters: { token } });

async function loginLink(influencerId = 'inf-p') {
  const res = await adminCall('POST', '/admin/influencers/{influencerId}/login-links', {
    pathParameters: { influencerId },
  });
  expect(res.status).toBe(201);
  return res.body as { url: string; expiresAt: string };
}

/** A signed-in session: its cookie (as a browser sends it back) and the page's CSRF token. */
async function signIn(influencerId = 'inf-p') {
  const opened = await open(tokenOf((await loginLink(influencerId)).url));
  expect(opened.statusCode).toBe(303);
  const cookie = (opened.cookies?.[0] ?? '').split(';')[0] ?? '';
  const page = await portalCall('GET', '/portal', { cookies: [cookie] });
  expect(page.statusCode).toBe(200);
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.body ?? '')?.[1] ?? '';
  return { cookie, csrf, page };
}

async function scanConfig(): Promise<Item[]> {
  const out = await dynamo().send(new ScanCommand({ TableName: configTable }));
  return out.Items ?? [];
}
const linksOf = async (influencerId: string) =>
  (await scanConfig()).filter((i) => i.itemType === 'link' && i.influencerId === influencerId);

beforeAll(async () => {
  const stores = await useTestStores('portal');
  configTable = stores.tables.config;
  dynamo = (await import('../../functions/common/clients/aws')).dynamo;
  admin = (await import('../../functions/admin/handler')).handler as unknown as Handler;
  portal = (await import('../../functions/portal/handler')).handler as unknown as Handler;
  for (const merchantId of ['shop-p', 'shop-other']) {
    const made = await adminCall('POST', '/admin/merchants', {
      body: {
        merchantId,
        name: merchantId === 'shop-p' ? 'Shop <P>' : 'Other',
        allowedDomains: [`${merchantId}.example.com`],
        currency: 'USD',
        commission: { defaultBps: 500 },
      },
    });
    expect(made.status).toBe(201);
  }
  for (const [influencerId, name] of [
    ['inf-p', 'Pat <script>alert(1)</script>'],
    ['inf-q', 'Quinn'],
  ]) {
    expect(
      (await adminCall('POST', '/admin/influencers', { body: { influencerId, handle: influencerId, name } }))
        .status,
    ).toBe(201);
  }
  // Each is enrolled with its own shop by its first link.
  for (const [code, influencerId, merchantId] of [
    ['p-first', 'inf-p', 'shop-p'],
    ['q-first', 'inf-q', 'shop-other'],
  ] as const) {
    const made = await adminCall('POST', '/admin/links', {
      body: { code, influencerId, merchantId, targetUrl: `https://${merchantId}.example.com/p` },
    });
    expect(made.status).toBe(201);
  }
});

describe('login links', () => {
  it('are one-time, valid 15 minutes, and stored only as a hash', async () => {
    const before = Date.now();
    const link = await loginLink();
    expect(link.url).toMatch(/^https:\/\/go\.example\.test\/portal\/login\/[A-Za-z0-9_-]{43}$/);
    const ttl = Date.parse(link.expiresAt) - before;
    expect(ttl).toBeGreaterThan(14 * 60_000);
    expect(ttl).toBeLessThanOrEqual(15 * 60_000 + 1000);
    const token = tokenOf(link.url);
    expect(JSON.stringify(await scanConfig())).not.toContain(token);

    const first = await open(token);
    expect(first.statusCode).toBe(303);
    expect(first.headers?.location).toBe('/portal');
    const cookie = first.cookies?.[0] ?? '';
    expect(cookie).toMatch(/^clk_portal=[A-Za-z0-9_-]{43}; /);
    for (const attribute of ['HttpOnly', 'Secure', 'SameSite=Lax', 'Path=/portal', 'Max-Age=43200']) {
      expect(cookie.split('; ')).toContain(attribute);
    }
    // The session id is stored hashed as well.
    expect(JSON.stringify(await scanConfig())).not.toContain(cookie.split(';')[0]?.split('=')[1]);

    const again = await open(token);
    expect(again.statusCode).toBe(401);
    expect(again.headers?.['content-type']).toMatch(/^text\/html/);
    expect(again.cookies).toBeUndefined();
    expect(again.body).toContain('has been used, has expired, or does not exist');
  });

  it('opens one session when the same link is opened twice at once', async () => {
    const token = tokenOf((await loginLink()).url);
    const answers = await Promise.all([open(token), open(token), open(token)]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([303, 401, 401]);
  });

  it('refuses an expired link and an unknown one with the 401 page', async () => {
    const { portalSessionRepo } = await import('../../functions/common/repos/portal-sessions');
    const { newSecretToken, tokenHash } = await import('../../functions/common/domain/portal-tokens');
    const expired = newSecretToken();
    await portalSessionRepo(configTable).putLogin(tokenHash(expired), 'inf-p', new Date(Date.now() - 1000));
    expect((await open(expired)).statusCode).toBe(401);
    expect((await open(newSecretToken())).statusCode).toBe(401);
    expect((await open('short')).statusCode).toBe(401);
  });

  it('is 404 for an unknown influencer, and writes nothing', async () => {
    const before = (await scanConfig()).length;
    const res = await adminCall('POST', '/admin/influencers/{influencerId}/login-links', {
      pathParameters: { influencerId: 'nobody' },
    });
    expect(res.status).toBe(404);
    expect((await scanConfig()).length).toBe(before);
  });
});

describe('the dashboard', () => {
  it('without a session is a 401 page that says how to get a login link', async () => {
    for (const cookies of [
      undefined,
      ['clk_portal=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
      ['clk_portal=junk'],
    ]) {
      const res = await portalCall('GET', '/portal', cookies ? { cookies } : {});
      expect(res.statusCode).toBe(401);
      expect(res.headers?.['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('login link');
    }
  });

  it('is private, uncached, under a CSP without script, and escapes every text', async () => {
    const { page } = await signIn();
    expect(page.headers?.['cache-control']).toBe('private, no-store');
    const csp = String(page.headers?.['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('script-src');
    expect(page.body).toContain('Pat &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.body).not.toContain('<script');
    expect(page.body).toContain('Shop &lt;P&gt;');
    expect(page.body).toContain('https://go.example.test/p-first');
    expect(page.body).toContain('href="/portal/links/p-first/qr.svg"');
  });
});

describe('the link form', () => {
  it('is 403 without the session’s CSRF token, or with another session’s, and writes nothing', async () => {
    const { cookie } = await signIn();
    const other = await signIn('inf-q');
    const before = await linksOf('inf-p');
    const fields = 'merchantId=shop-p&targetUrl=https%3A%2F%2Fshop-p.example.com%2Fx&code=p-forged';
    for (const form of [fields, `${fields}&csrf=`, `${fields}&csrf=${other.csrf}`]) {
      const res = await portalCall('POST', '/portal/links', { cookies: [cookie], form });
      expect(res.statusCode).toBe(403);
      expect(res.headers?.['content-type']).toMatch(/^text\/html/);
    }
    expect(await linksOf('inf-p')).toEqual(before);
  });

  it('shows errors next to the field and writes nothing; a valid form makes the link', async () => {
    const { cookie, csrf } = await signIn();
    const post = (fields: string) =>
      portalCall('POST', '/portal/links', { cookies: [cookie], form: `csrf=${csrf}&${fields}` });
    const before = await linksOf('inf-p');

    const badTarget = await post('merchantId=shop-p&targetUrl=https%3A%2F%2Fevil.example.net%2Fx');
    expect(badTarget.statusCode).toBe(400);
    expect(badTarget.body).toMatch(/id="targetUrl"[^>]*aria-invalid="true"/);
    expect(badTarget.body).toContain('id="targetUrl-error"');
    expect(badTarget.body).toContain('value="https://evil.example.net/x"');

    const notEnrolled = await post(
      'merchantId=shop-other&targetUrl=https%3A%2F%2Fshop-other.example.com%2Fx',
    );
    expect(notEnrolled.statusCode).toBe(400);
    expect(notEnrolled.body).toContain('id="merchantId-error"');

    const reserved = await post(
      'merchantId=shop-p&targetUrl=https%3A%2F%2Fshop-p.example.com%2Fx&code=portal',
    );
    expect(reserved.statusCode).toBe(400);
    expect(reserved.body).toContain('id="code-error"');

    const taken = await post('merchantId=shop-p&targetUrl=https%3A%2F%2Fshop-p.example.com%2Fx&code=q-first');
    expect(taken.statusCode).toBe(409);
    expect(taken.body).toContain('The code &quot;q-first&quot; is taken.');
    expect(await linksOf('inf-p')).toEqual(before);

    const made = await post(
      'merchantId=shop-p&targetUrl=https%3A%2F%2Fshop-p.example.com%2Fhat&code=p-hat&campaign=summer',
    );
    expect(made.statusCode).toBe(303);
    expect(made.headers?.location).toBe('/portal?created=p-hat');
    const link = (await adminCall('GET', '/admin/links/{code}', { pathParameters: { code: 'p-hat' } })).body;
    expect(link).toMatchObject({ influencerId: 'inf-p', merchantId: 'shop-p', campaign: 'summer' });
  });
});

describe('signing out', () => {
  it('ends the session and clears its cookie; without the CSRF token it is 403 and the session lives', async () => {
    const { cookie, csrf } = await signIn();
    const forged = await portalCall('POST', '/portal/logout', { cookies: [cookie], form: '' });
    expect(forged.statusCode).toBe(403);
    expect((await portalCall('GET', '/portal', { cookies: [cookie] })).statusCode).toBe(200);

    const out = await portalCall('POST', '/portal/logout', {
      cookies: [cookie],
      form: `csrf=${encodeURIComponent(csrf)}`,
    });
    expect(out.statusCode).toBe(200);
    expect(out.headers?.['cache-control']).toBe('private, no-store');
    expect(out.body).toContain('Signed out');
    expect(out.cookies).toEqual([
      expect.stringMatching(/^clk_portal=; Path=\/portal; Max-Age=0; HttpOnly; Secure/),
    ]);
    // A copy of the cookie kept by the browser opens nothing now.
    const after = await portalCall('GET', '/portal', { cookies: [cookie] });
    expect(after.statusCode).toBe(401);
    expect((await scanConfig()).filter((i) => i.itemType === 'portalSession').length).toBeGreaterThan(0);
  });

  it('leaves the other sessions of the influencer signed in', async () => {
    const first = await signIn();
    const second = await signIn();
    await portalCall('POST', '/portal/logout', {
      cookies: [first.cookie],
      form: `csrf=${encodeURIComponent(first.csrf)}`,
    });
    expect((await portalCall('GET', '/portal', { cookies: [second.cookie] })).statusCode).toBe(200);
  });
});

describe('QR codes', () => {
  it('are served for its own links only, as SVG', async () => {
    const { cookie } = await signIn();
    const qr = (code: string) =>
      portalCall('GET', '/portal/links/{code}/qr.svg', {
        path: `/portal/links/${code}/qr.svg`,
        pathParameters: { code },
        cookies: [cookie],
      });
    const own = await qr('p-first');
    expect(own.statusCode).toBe(200);
    expect(own.headers?.['content-type']).toBe('image/svg+xml');
    expect(own.body).toMatch(/^<svg /);
    expect((await qr('q-first')).statusCode).toBe(404);
    expect((await qr('no-such-link')).statusCode).toBe(404);

    const adminQr = await admin(
      httpEvent({
        method: 'GET',
        route: '/admin/links/{code}/qr.svg',
        admin: true,
        pathParameters: { code: 'q-first' },
      }),
      context(),
    );
    expect(adminQr.statusCode).toBe(200);
    expect(adminQr.headers?.['content-type']).toBe('image/svg+xml');
  });

  it('a link can never take the code portal', async () => {
    const res = await adminCall('POST', '/admin/links', {
      body: {
        code: 'Portal',
        influencerId: 'inf-p',
        merchantId: 'shop-p',
        targetUrl: 'https://shop-p.example.com/x',
      },
    });
    expect(res.status).toBe(400);
  });
});
