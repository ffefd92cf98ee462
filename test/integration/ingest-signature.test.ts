/**
 * The ingest function's signature check against the real stand-ins: the HMAC over the exact bytes
 * received, the same work for an unknown merchant as for a known one, and re-reads of a merchant
 * after failed signatures bounded per window. Only Date is faked (to move through the window
 * without waiting); the SDK's timers are real.
 */
import type * as NodeCrypto from 'node:crypto';
import { context, httpEvent } from '../support/events';
import type { HttpHandler } from '../support/handlers';
import { useTestStores } from '../support/stores';
import { signHeaders } from '../support/webhooks';

const nodeCrypto: typeof NodeCrypto = jest.requireActual('node:crypto');

let admin: HttpHandler;
let ingest: HttpHandler;
let rereadWindowMs: number;
let stores: Awaited<ReturnType<typeof useTestStores>>;
/** Every GetItem on the config table (merchant reads), by merchant key. */
const merchantReads: string[] = [];
/** How many HMACs were computed over a payload that starts with this prefix. */
const hmacsOver = new Map<string, number>();
/** How many sealed values (webhook secrets) were opened. */
let unsealed = 0;

const T0 = Date.parse('2026-11-20T12:00:00.000Z');
let secret: string;

beforeAll(async () => {
  jest.useFakeTimers({
    now: T0,
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
  stores = await useTestStores('ingest-signature');
  const aws = await import('../../functions/common/clients/aws');
  aws.dynamo().middlewareStack.add(
    (next, ctx) => async (args) => {
      const input = args.input as { TableName?: string; Key?: { pk?: string } };
      if (ctx.commandName === 'GetItemCommand' && input.TableName === stores.tables.config) {
        merchantReads.push(String(input.Key?.pk));
      }
      return next(args);
    },
    { step: 'initialize', name: 'countMerchantReads' },
  );
  const realCreateHmac = nodeCrypto.createHmac;
  jest.spyOn(nodeCrypto, 'createHmac').mockImplementation(((...args: Parameters<typeof realCreateHmac>) => {
    const hmac = realCreateHmac(...args);
    const update = hmac.update.bind(hmac) as (data: unknown, encoding?: unknown) => NodeCrypto.Hmac;
    (hmac as { update: unknown }).update = (data: unknown, encoding?: unknown) => {
      const text = Buffer.isBuffer(data) ? data.toString('latin1') : String(data);
      for (const prefix of hmacsOver.keys()) {
        if (text.startsWith(prefix)) hmacsOver.set(prefix, (hmacsOver.get(prefix) ?? 0) + 1);
      }
      return update(data, encoding);
    };
    return hmac;
  }) as typeof realCreateHmac);

  const realCreateDecipheriv = nodeCrypto.createDecipheriv;
  jest.spyOn(nodeCrypto, 'createDecipheriv').mockImplementation(((
    ...args: Parameters<typeof realCreateDecipheriv>
  ) => {
    unsealed++;
    return realCreateDecipheriv(...args);
  }) as typeof realCreateDecipheriv);

  admin = (await import('../../functions/admin/handler')).handler as unknown as HttpHandler;
  const ingestModule = await import('../../functions/ingest/handler');
  ingest = ingestModule.handler as unknown as HttpHandler;
  rereadWindowMs = ingestModule.REREAD_AFTER_FAILURE_MS;

  const res = await admin(
    httpEvent({
      method: 'POST',
      route: '/admin/merchants',
      admin: true,
      body: {
        merchantId: 'sig-shop',
        name: 'Sig shop',
        allowedDomains: ['shop.example.com'],
        currency: 'USD',
        commission: { defaultBps: 1000 },
      },
    }),
    context(),
  );
  expect(res.statusCode).toBe(201);
  secret = JSON.parse(res.body ?? '{}').webhookSecret;
});

afterAll(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

const wrongSecret = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;
let seq = 0;
const cancelled = () =>
  JSON.stringify({ type: 'order.cancelled', orderId: `O-${++seq}`, occurredAt: new Date(T0).toISOString() });

/** A webhook for `merchantId` with a body given as raw bytes and headers signed by `sign`. */
function rawWebhook(merchantId: string, body: Buffer, headers: Record<string, string>) {
  const event = httpEvent({
    method: 'POST',
    route: '/webhooks/{merchantId}/orders',
    path: `/webhooks/${merchantId}/orders`,
    pathParameters: { merchantId },
    headers: { 'content-type': 'application/json', ...headers },
  });
  return { ...event, body: body.toString('base64'), isBase64Encoded: true };
}

/** Posts a webhook signed with `key` over the given body; returns the status and HMACs over its payload. */
async function post(merchantId: string, key: string, body = Buffer.from(cancelled())) {
  const id = `msg_${merchantId}_${++seq}`;
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = `v1,${nodeCrypto
    .createHmac('sha256', Buffer.from(key.slice('whsec_'.length), 'base64'))
    .update(Buffer.concat([Buffer.from(`${id}.${timestamp}.`), body]))
    .digest('base64')}`;
  const prefix = `${id}.`;
  hmacsOver.set(prefix, 0);
  const headers = {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signature,
  };
  const res = await ingest(rawWebhook(merchantId, body, headers), context());
  // Counted from here on: the test's own signing above is not included.
  const hmacs = hmacsOver.get(prefix) ?? 0;
  hmacsOver.delete(prefix);
  return { status: res.statusCode, body: JSON.parse(res.body ?? '{}'), hmacs, webhookId: id };
}

describe('the signature is verified on the exact bytes received', () => {
  it('a body that is not UTF-8, correctly signed, is an invalid body (400), and nothing is kept', async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"type":"order.cancelled","orderId":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(`","occurredAt":"${new Date(T0).toISOString()}"}`),
    ]);
    const res = await post('sig-shop', secret, bytes);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_body');
    const { inboxRepo } = await import('../../functions/common/repos/webhook-inbox');
    expect(await inboxRepo(stores.tables.webhookInbox).get('sig-shop', res.webhookId)).toBeUndefined();
  });

  it('the same body signed over its text as decoded (U+FFFD) does not verify (401)', async () => {
    const bytes = Buffer.concat([Buffer.from('{"x":"'), Buffer.from([0xff]), Buffer.from('"}')]);
    const headers = signHeaders(secret, bytes.toString('utf8'));
    const res = await ingest(rawWebhook('sig-shop', bytes, headers), context());
    expect(res.statusCode).toBe(401);
  });

  it('a valid body signed over its bytes is accepted', async () => {
    const res = await post('sig-shop', secret);
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('accepted');
  });
});

describe('an unknown merchant costs what a known one costs', () => {
  it('runs the same number of HMACs as a known merchant with one live secret, cached or not', async () => {
    // Not cached yet: the merchant (or its absence) is read by this request.
    await admin(
      httpEvent({
        method: 'POST',
        route: '/admin/merchants',
        admin: true,
        body: {
          merchantId: 'sig-fresh',
          name: 'Fresh',
          allowedDomains: ['shop.example.com'],
          currency: 'USD',
          commission: { defaultBps: 1000 },
        },
      }),
      context(),
    );
    const knownUncached = await post('sig-fresh', wrongSecret);
    const unknownUncached = await post('sig-nobody', wrongSecret);
    expect(knownUncached.status).toBe(401);
    expect(unknownUncached.status).toBe(401);
    expect(unknownUncached.hmacs).toBe(1);
    expect(knownUncached.hmacs).toBe(unknownUncached.hmacs);

    // Cached, first failure in the window: a re-read and a second check, for both alike.
    const knownCached = await post('sig-fresh', wrongSecret);
    const unknownCached = await post('sig-nobody', wrongSecret);
    expect(unknownCached.hmacs).toBe(2);
    expect(knownCached.hmacs).toBe(unknownCached.hmacs);

    // Cached, within the window: one check, no read, for both alike.
    const knownQuiet = await post('sig-fresh', wrongSecret);
    const unknownQuiet = await post('sig-nobody', wrongSecret);
    expect(unknownQuiet.hmacs).toBe(1);
    expect(knownQuiet.hmacs).toBe(unknownQuiet.hmacs);
    expect(unknownQuiet.body).toEqual(knownQuiet.body);
  });
});

describe('failed signatures re-read a merchant at most once per window', () => {
  it('ten bad signatures for a cached merchant cost one read; the next window allows one more', async () => {
    expect((await post('sig-shop', secret)).status).toBe(202);
    jest.setSystemTime(Date.now() + rereadWindowMs);
    merchantReads.length = 0;
    for (let i = 0; i < 10; i++) expect((await post('sig-shop', wrongSecret)).status).toBe(401);
    expect(merchantReads).toEqual(['MERCHANT#sig-shop']);

    jest.setSystemTime(Date.now() + rereadWindowMs);
    for (let i = 0; i < 10; i++) expect((await post('sig-shop', wrongSecret)).status).toBe(401);
    expect(merchantReads).toEqual(['MERCHANT#sig-shop', 'MERCHANT#sig-shop']);
    // The merchant's own webhooks still go through meanwhile.
    expect((await post('sig-shop', secret)).status).toBe(202);
  });

  it('an unknown merchant id is read once, then re-read at most once per window', async () => {
    merchantReads.length = 0;
    for (let i = 0; i < 10; i++) expect((await post('sig-ghost', wrongSecret)).status).toBe(401);
    // The first request reads it; the second (its miss is cached) may re-read; the rest may not.
    expect(merchantReads).toEqual(['MERCHANT#sig-ghost', 'MERCHANT#sig-ghost']);
  });
});

describe('a cached merchant costs no unsealing', () => {
  it('opens a merchant’s secrets once per read, not once per webhook, known or unknown alike', async () => {
    warmSecret = await createMerchant('sig-warm');
    unsealed = 0;
    expect((await post('sig-warm', warmSecret)).status).toBe(202);
    const afterFirst = unsealed;
    expect(afterFirst).toBe(1);
    for (let i = 0; i < 5; i++) expect((await post('sig-warm', warmSecret)).status).toBe(202);
    expect(unsealed).toBe(afterFirst);

    unsealed = 0;
    expect((await post('sig-nobody-warm', wrongSecret)).status).toBe(401);
    expect(unsealed).toBe(1);
    // Within the re-read window: the cached miss and the stand-in's opened secret answer.
    expect((await post('sig-nobody-warm', wrongSecret)).status).toBe(401);
    expect((await post('sig-nobody-warm', wrongSecret)).status).toBe(401);
    expect(unsealed).toBe(2);
  });

  it('a rotated-out secret stops verifying when it expires, though the merchant is cached', async () => {
    const before = warmSecret;
    const rotated = await admin(
      httpEvent({
        method: 'POST',
        route: '/admin/merchants/{merchantId}/secrets',
        path: '/admin/merchants/sig-warm/secrets',
        pathParameters: { merchantId: 'sig-warm' },
        admin: true,
      }),
      context(),
    );
    expect(rotated.statusCode).toBe(201);
    const { webhookSecret: after, previousSecretsValidUntil } = JSON.parse(rotated.body ?? '{}');
    jest.setSystemTime(Date.parse(previousSecretsValidUntil) - 10_000);
    // Both verify; the merchant (with both secrets) is now cached.
    expect((await post('sig-warm', after)).status).toBe(202);
    expect((await post('sig-warm', before)).status).toBe(202);
    jest.setSystemTime(Date.parse(previousSecretsValidUntil) + 10_000);
    merchantReads.length = 0;
    expect((await post('sig-warm', after)).status).toBe(202);
    expect(merchantReads).toEqual([]);
    expect((await post('sig-warm', before)).status).toBe(401);
  });
});

/** The secret of `sig-warm`, which the rotation test rotates. */
let warmSecret = '';
async function createMerchant(merchantId: string): Promise<string> {
  const res = await admin(
    httpEvent({
      method: 'POST',
      route: '/admin/merchants',
      admin: true,
      body: {
        merchantId,
        name: merchantId,
        allowedDomains: ['shop.example.com'],
        currency: 'USD',
        commission: { defaultBps: 1000 },
      },
    }),
    context(),
  );
  expect(res.statusCode).toBe(201);
  return JSON.parse(res.body ?? '{}').webhookSecret;
}
