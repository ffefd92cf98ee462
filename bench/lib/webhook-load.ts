/**
 * The webhooks bench's load generator, a child process of its own (so it never shares an event loop
 * with the server it measures): signs every request first, each a distinct `order.created` with its
 * own `webhook-id` and orderId, signed with the merchant's secret by the Standard Webhooks library as
 * a shop would, and only then starts the clock and sends them over `connections` keep-alive
 * connections, one request in flight on each. Signing is therefore never part of the measured time,
 * and every signature is at most a few seconds old when sent (the tolerance is 5 minutes).
 *
 * Usage: `node --import tsx bench/lib/webhook-load.ts <config.json>`; prints a `WebhookLoadResult`
 * as JSON on stdout.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Webhook } from 'standardwebhooks';

export interface WebhookLoadConfig {
  /** The full URL the requests are posted to. */
  url: string;
  secret: string;
  connections: number;
  /** Requests signed beforehand: all are sent, unless `durationSeconds` ends the run first. */
  amount: number;
  /** Stop sending after this long (requests then in flight complete, outside the window). */
  durationSeconds?: number;
  /** Order `i` is `<orderPrefix>-<i>` with `webhook-id` `msg_<orderPrefix>_<i>`. */
  orderPrefix: string;
  /** Real click ids; order `i` carries `clickIds[i % length]`. */
  clickIds: string[];
}

export interface WebhookLoadResult {
  /** Time spent signing, before the clock started. */
  signMs: number;
  /** Wall-clock time (ms since the epoch) the first request was sent. */
  startedAtMs: number;
  /** From the first request to the deadline, or to the last response when every request was sent. */
  windowSeconds: number;
  /** Responses that completed within the window; rate and latencies are theirs. */
  inWindow: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Requests sent in all (orders 0 … sent-1), with every response awaited. */
  sent: number;
  statusCounts: Record<string, number>;
  /** Connection errors (no response). */
  errors: number;
  /** The first few answers other than 202, for the report. */
  unexpected: string[];
  /** Duration mode ran out of signed requests before the deadline. */
  exhausted: boolean;
  /** How old the signature timestamp of the last request sent was, in seconds. */
  maxSignatureAgeSeconds: number;
}

interface Signed {
  body: Buffer;
  headers: Record<string, string>;
  signedAtMs: number;
}

export function orderBody(orderId: string, clickId: string | undefined, occurredAt: string): string {
  return JSON.stringify({
    type: 'order.created',
    orderId,
    occurredAt,
    currency: 'USD',
    ...(clickId ? { clickId } : {}),
    lines: [
      { sku: 'sku-42', category: 'shoes', quantity: 1, unitPriceMinor: 8_900 },
      { sku: 'sku-7', quantity: 2, unitPriceMinor: 1_250 },
    ],
  });
}

function sign(config: WebhookLoadConfig): Signed[] {
  const webhook = new Webhook(config.secret);
  const signed: Signed[] = [];
  for (let i = 0; i < config.amount; i++) {
    const now = new Date();
    const id = `msg_${config.orderPrefix}_${i}`;
    const body = orderBody(
      `${config.orderPrefix}-${i}`,
      config.clickIds[i % config.clickIds.length],
      now.toISOString(),
    );
    signed.push({
      body: Buffer.from(body),
      signedAtMs: now.getTime(),
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': webhook.sign(id, now, body),
      },
    });
  }
  return signed;
}

async function run(config: WebhookLoadConfig): Promise<WebhookLoadResult> {
  const signStart = performance.now();
  const signed = sign(config);
  const signMs = performance.now() - signStart;

  const url = new URL(config.url);
  const agent = new Agent({ keepAlive: true, maxSockets: config.connections });
  const statusCounts: Record<string, number> = {};
  const latencies: number[] = [];
  const unexpected: string[] = [];
  let errors = 0;
  let next = 0;
  let maxSignatureAgeMs = 0;

  const startedAtMs = Date.now();
  const start = performance.now();
  const deadline = config.durationSeconds === undefined ? Infinity : start + config.durationSeconds * 1000;

  const send = (item: Signed) =>
    new Promise<{ status: number; body: string } | undefined>((resolve) => {
      const req = request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: { ...item.headers, 'content-length': String(item.body.length) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', () => resolve(undefined));
        },
      );
      req.on('error', () => resolve(undefined));
      req.end(item.body);
    });

  const connection = async () => {
    for (;;) {
      if (performance.now() >= deadline || next >= signed.length) return;
      const item = signed[next++];
      if (!item) return;
      maxSignatureAgeMs = Math.max(maxSignatureAgeMs, Date.now() - item.signedAtMs);
      const sentAt = performance.now();
      const answer = await send(item);
      const doneAt = performance.now();
      if (!answer) {
        errors++;
        continue;
      }
      statusCounts[answer.status] = (statusCounts[answer.status] ?? 0) + 1;
      if (answer.status !== 202 && unexpected.length < 5) unexpected.push(`${answer.status} ${answer.body}`);
      if (doneAt <= deadline) latencies.push(doneAt - sentAt);
    }
  };
  await Promise.all(Array.from({ length: config.connections }, connection));
  const end = performance.now();
  agent.destroy();

  const exhausted = next >= signed.length && end < deadline;
  const windowMs = Number.isFinite(deadline) && !exhausted ? deadline - start : end - start;
  latencies.sort((a, b) => a - b);
  const quantile = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return {
    signMs,
    startedAtMs,
    windowSeconds: windowMs / 1000,
    inWindow: latencies.length,
    requestsPerSecond: latencies.length / (windowMs / 1000),
    p50Ms: quantile(0.5),
    p99Ms: quantile(0.99),
    sent: next,
    statusCounts,
    errors,
    unexpected,
    exhausted: exhausted && config.durationSeconds !== undefined,
    maxSignatureAgeSeconds: maxSignatureAgeMs / 1000,
  };
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: webhook-load.ts <config.json>');
  const config = JSON.parse(readFileSync(file, 'utf8')) as WebhookLoadConfig;
  run(config).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
