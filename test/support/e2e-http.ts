/**
 * A tiny HTTP client for the end-to-end tests: `fetch` with `redirect: 'manual'` (a 302 is the
 * answer under test, not something to follow) and a cookie jar fed by `set-cookie`. Plus the
 * contract's response shapes (CONTRACT §1, §3, §5) as zod schemas, written from the contract and
 * not imported from the product, so a product change cannot quietly change the expectation.
 */
import { z } from 'zod';

/** Chrome on Windows: `curl`, node and empty user agents count as bots. */
export const BROWSER_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
export const IPHONE_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
export const GOOGLEBOT_UA = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Every `set-cookie` header of the response, as sent. */
  setCookies: string[];
  /** The `Location` header, parsed (undefined when there is none). */
  location: URL | undefined;
  json(): unknown;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** Sent as is (for malformed or oversized bodies). */
  body?: string;
  /** Serialized with JSON.stringify; sets `content-type: application/json`. */
  json?: unknown;
}

export interface SetCookie {
  name: string;
  value: string;
  /** Attribute names lower-cased, e.g. `{ path: '/', 'max-age': '31536000', httponly: '' }`. */
  attributes: Record<string, string>;
}

export function parseSetCookie(header: string): SetCookie {
  const [pair = '', ...attrs] = header.split(';').map((part) => part.trim());
  const eq = pair.indexOf('=');
  const attributes: Record<string, string> = {};
  for (const attr of attrs) {
    if (attr === '') continue;
    const i = attr.indexOf('=');
    if (i < 0) attributes[attr.toLowerCase()] = '';
    else attributes[attr.slice(0, i).trim().toLowerCase()] = attr.slice(i + 1).trim();
  }
  return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attributes };
}

export class HttpClient {
  private readonly jar = new Map<string, string>();

  constructor(
    readonly baseUrl: string,
    private readonly defaultHeaders: Record<string, string> = {},
  ) {}

  cookie(name: string): string | undefined {
    return this.jar.get(name);
  }

  setCookie(name: string, value: string): void {
    this.jar.set(name, value);
  }

  clearCookies(): void {
    this.jar.clear();
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<HttpResponse> {
    const headers: Record<string, string> = { ...this.defaultHeaders };
    let body = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] = 'application/json';
    } else if (body !== undefined) {
      headers['content-type'] = 'application/json';
    }
    Object.assign(headers, options.headers);
    if (this.jar.size > 0 && !Object.keys(headers).some((h) => h.toLowerCase() === 'cookie')) {
      headers.cookie = [...this.jar].map(([name, value]) => `${name}=${value}`).join('; ');
    }
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    const setCookies = res.headers.getSetCookie();
    for (const header of setCookies) {
      const cookie = parseSetCookie(header);
      if (cookie.attributes['max-age'] === '0') this.jar.delete(cookie.name);
      else this.jar.set(cookie.name, cookie.value);
    }
    const location = res.headers.get('location');
    return {
      status: res.status,
      headers: res.headers,
      text,
      setCookies,
      location: location === null ? undefined : new URL(location, this.baseUrl),
      json: () => JSON.parse(text) as unknown,
    };
  }

  get(path: string, headers?: Record<string, string>) {
    return this.request('GET', path, { headers });
  }

  head(path: string, headers?: Record<string, string>) {
    return this.request('HEAD', path, { headers });
  }
}

/** The operator's client: every request carries `Authorization: Bearer <token>`. */
export class AdminClient {
  private readonly http: HttpClient;

  constructor(baseUrl: string, token: string) {
    this.http = new HttpClient(baseUrl, { authorization: `Bearer ${token}` });
  }

  request(method: string, path: string, options?: RequestOptions) {
    return this.http.request(method, path, options);
  }

  get(path: string) {
    return this.http.request('GET', path);
  }

  post(path: string, json: unknown) {
    return this.http.request('POST', path, { json });
  }

  patch(path: string, json: unknown) {
    return this.http.request('PATCH', path, { json });
  }

  put(path: string, json: unknown) {
    return this.http.request('PUT', path, { json });
  }

  delete(path: string) {
    return this.http.request('DELETE', path);
  }
}

/** Parses a response body with a schema; the failure message shows the status and the body. */
export function bodyOf<S extends z.ZodType>(res: HttpResponse, schema: S): z.output<S> {
  let data: unknown;
  try {
    data = res.json();
  } catch {
    throw new Error(`Expected a JSON body, got ${res.status}: ${res.text.slice(0, 500)}`);
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    throw new Error(
      `Unexpected body for ${res.status}: ${res.text.slice(0, 1000)}\n${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data;
}

// ---------------------------------------------------------------- contract shapes

export const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
export const ID = /^[A-Za-z0-9_-]{3,64}$/;
const isoTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/, 'ISO 8601 UTC');

/** CONTRACT §1: `{"error": {"code", "message", "issues"?}}`, nothing else. */
export const errorBodySchema = z.strictObject({
  error: z.strictObject({
    code: z.string().regex(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/, 'snake_case'),
    message: z.string().min(1),
    issues: z.array(z.strictObject({ path: z.string(), message: z.string().min(1) })).optional(),
  }),
});
export type ErrorBody = z.output<typeof errorBodySchema>;

export const validationErrorSchema = z.strictObject({
  error: z.strictObject({
    code: z.string().regex(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/, 'snake_case'),
    message: z.string().min(1),
    issues: z.array(z.strictObject({ path: z.string(), message: z.string().min(1) })).min(1),
  }),
});

export const merchantSchema = z.looseObject({
  merchantId: z.string().regex(ID),
  name: z.string(),
  allowedDomains: z.array(z.string()),
  currency: z.string(),
  clickIdParam: z.string(),
  attributionModel: z.string(),
  attributionWindowDays: z.int(),
  holdDays: z.int(),
  commission: z.looseObject({ defaultBps: z.int(), categoryBps: z.record(z.string(), z.int()).optional() }),
});

export const merchantCreatedSchema = merchantSchema.extend({ webhookSecret: z.string() });

export const secretRotatedSchema = z.looseObject({ webhookSecret: z.string() });

export const influencerSchema = z.looseObject({
  influencerId: z.string().regex(ID),
  handle: z.string(),
  name: z.string(),
  payoutMinimumMinor: z.int(),
  couponCodes: z.array(z.string()),
});

export const linkSchema = z.looseObject({
  code: z.string(),
  shortUrl: z.string(),
  influencerId: z.string(),
  merchantId: z.string(),
  targetUrl: z.string(),
  campaign: z.string().optional(),
  disabled: z.boolean(),
});

export const clickSchema = z.looseObject({
  clickId: z.string().regex(ULID),
  code: z.string(),
  influencerId: z.string(),
  merchantId: z.string(),
  visitorId: z.string(),
  occurredAt: isoTime,
  browser: z.string().optional(),
  os: z.string().optional(),
  device: z.string().optional(),
  referrerHost: z.string().optional(),
  ipHash: z.string().min(1),
  bot: z.boolean(),
  duplicate: z.boolean(),
});
export type ClickView = z.output<typeof clickSchema>;

/** Distinct ids for one test run, so reruns against a kept data directory never collide. */
let counter = 0;
const runTag = Date.now().toString(36).slice(-5);
export const uniqueId = (prefix: string) => `${prefix}-${runTag}-${(counter++).toString(36)}`;

/** Polls `check` until it returns a value or `timeoutMs` has passed (then returns the last try). */
export async function pollUntil<T>(
  attempt: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await attempt();
    if (done(value) || Date.now() >= deadline) return value;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** CONTRACT §5 `GET /admin/orders/{merchantId}/{orderId}` (plus the evidence issue 3 asks for). */
export const attributionSchema = z.looseObject({
  influencerId: z.string(),
  clickId: z.string().optional(),
  weightBps: z.int().min(0).max(10_000),
  commissionMinor: z.int(),
  status: z.enum(['unpaid', 'paid']),
  method: z.string(),
  clickAgeSeconds: z.int().min(0).optional(),
});

export const orderViewSchema = z.looseObject({
  orderId: z.string(),
  status: z.enum(['pending', 'credited', 'unattributed']),
  currency: z.string().regex(/^[A-Z]{3}$/),
  amountMinor: z.int(),
  commissionMinor: z.int(),
  attributions: z.array(attributionSchema),
  unattributedReason: z.enum(['no_click', 'unknown_click', 'expired', 'bot', 'other_merchant']).optional(),
  /** Not fixed by the contract: the clawbacks of paid credits (§7), shown by the product's view. */
  adjustments: z
    .array(z.looseObject({ influencerId: z.string(), amountMinor: z.int(), status: z.string() }))
    .optional(),
});
export type OrderView = z.output<typeof orderViewSchema>;

/** CONTRACT §4: the answer to an accepted (or repeated) webhook. */
export const webhookAcceptedSchema = z.looseObject({
  status: z.enum(['accepted', 'duplicate']),
  webhookId: z.string().optional(),
});

/** CONTRACT §5, §8: a payout run. */
export const payoutSchema = z.looseObject({
  payoutId: z.string().min(1),
  influencerId: z.string(),
  currency: z.string().regex(/^[A-Z]{3}$/),
  amountMinor: z.int(),
  items: z.int().min(0),
  status: z.enum(['payable', 'carried_over']),
});
export const payoutRunSchema = z.looseObject({
  period: z.string().regex(/^\d{4}-\d{2}$/),
  payouts: z.array(payoutSchema),
});
export type PayoutRunView = z.output<typeof payoutRunSchema>;
