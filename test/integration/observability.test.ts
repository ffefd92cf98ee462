/**
 * What the functions write to the log when the local runtime invokes them (through its own handler
 * loader, lib/local/http-server.ts `loadHandler`): every line names the function's service, and the
 * business metrics are EMF lines in the Creditlink namespace, on the real stand-ins. (The only
 * integration test file that runs invocation contexts in Jest's process: see
 * test/support/local-invocations.ts for why a second one would need a process of its own.)
 */
import { loadHandler } from '../../lib/local/http-server';
import { BROWSER_UA, context, httpEvent } from '../support/events';
import type { HttpHandler } from '../support/handlers';
import { useTestStores } from '../support/stores';
import { webhookEvent } from '../support/webhooks';

type Line = Record<string, unknown>;

let admin: HttpHandler;
let redirect: HttpHandler;
let ingest: HttpHandler;
let secret = '';

/** The JSON lines written to stdout while `run` runs. */
async function linesOf(run: () => Promise<unknown>): Promise<Line[]> {
  return (await outputOf(run))
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line);
}

/** Everything written to stdout while `run` runs. */
async function outputOf(run: () => Promise<unknown>): Promise<string> {
  const chunks: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return chunks.join('');
}

const emf = (lines: Line[]) => lines.filter((l) => '_aws' in l);

beforeAll(async () => {
  await useTestStores('observability', {
    POWERTOOLS_LOG_LEVEL: 'INFO',
    POWERTOOLS_METRICS_DISABLED: 'false',
  });
  admin = await loadHandler<HttpHandler>('admin');
  redirect = await loadHandler<HttpHandler>('redirect');
  ingest = await loadHandler<HttpHandler>('ingest');
  const adminCall = async (route: string, body: unknown) =>
    admin(httpEvent({ method: 'POST', route, body, admin: true }), context());
  const merchant = await adminCall('/admin/merchants', {
    merchantId: 'obs-shop',
    name: 'Obs shop',
    allowedDomains: ['shop.example.com'],
    currency: 'USD',
    commission: { defaultBps: 1000 },
  });
  secret = JSON.parse(merchant.body ?? '{}').webhookSecret;
  await adminCall('/admin/influencers', { influencerId: 'obs-inf', handle: 'obsinf', name: 'Obs' });
  const link = await adminCall('/admin/links', {
    code: 'obs-link',
    influencerId: 'obs-inf',
    merchantId: 'obs-shop',
    targetUrl: 'https://shop.example.com/p',
  });
  expect(link.statusCode).toBe(201);
});

const clickEvent = (userAgent: string) =>
  httpEvent({
    method: 'GET',
    route: '/{code}',
    path: '/obs-link',
    pathParameters: { code: 'obs-link' },
    headers: { 'user-agent': userAgent },
  });

test('a normal click writes nothing to the log: no line, no metric (the aggregator counts Clicks)', async () => {
  const human = await outputOf(() => redirect(clickEvent(BROWSER_UA), context('redirect')));
  const bot = await outputOf(() =>
    redirect(clickEvent('Googlebot/2.1 (+http://www.google.com/bot.html)'), context()),
  );
  expect(human).toBe('');
  expect(bot).toBe('');
});

test('concurrent clicks write nothing to the log either', async () => {
  // Sixteen at a time, as a load generator sends them.
  const output = await outputOf(() =>
    Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let i = 0; i < 8; i++) await redirect(clickEvent(BROWSER_UA), context('redirect'));
      }),
    ),
  );
  expect(output).toBe('');
});

test('webhooks: the log line names the ingest service; accepted, duplicate and rejected are counted', async () => {
  const order = {
    type: 'order.created',
    orderId: `obs-${Date.now()}`,
    occurredAt: new Date().toISOString(),
    currency: 'USD',
    lines: [{ sku: 'A', quantity: 1, unitPriceMinor: 1000 }],
  };
  const id = `msg_obs_${Date.now()}`;
  const accepted = await linesOf(() => ingest(webhookEvent('obs-shop', secret, order, { id }), context()));
  expect(accepted).toContainEqual(
    expect.objectContaining({ message: 'Order event accepted', service: 'creditlink-ingest' }),
  );
  expect(emf(accepted)).toEqual([
    expect.objectContaining({ service: 'creditlink-ingest', WebhooksAccepted: 1 }),
  ]);

  const duplicate = await linesOf(() => ingest(webhookEvent('obs-shop', secret, order, { id }), context()));
  expect(emf(duplicate)).toEqual([expect.objectContaining({ WebhooksDuplicate: 1 })]);

  const rejections: Array<[string, ReturnType<typeof webhookEvent>]> = [
    ['invalid_signature', webhookEvent('obs-shop', 'whsec_d3Jvbmcgc2VjcmV0IGZvciB0ZXN0cw==', order)],
    ['invalid_body', webhookEvent('obs-shop', secret, '{"type":')],
    ['payload_too_large', webhookEvent('obs-shop', secret, { ...order, note: 'x'.repeat(70 * 1024) })],
  ];
  for (const [reason, event] of rejections) {
    const lines = await linesOf(() => ingest(event, context()));
    expect(emf(lines)).toEqual([
      expect.objectContaining({ service: 'creditlink-ingest', reason, WebhooksRejected: 1 }),
    ]);
  }
});

test('a request that records no metric writes no metric line', async () => {
  const lines = await linesOf(() =>
    admin(
      httpEvent({
        method: 'GET',
        route: '/admin/merchants/{merchantId}',
        pathParameters: { merchantId: 'obs-shop' },
        admin: true,
      }),
      context(),
    ),
  );
  expect(emf(lines)).toEqual([]);
});
