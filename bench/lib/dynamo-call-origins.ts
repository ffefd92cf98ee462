/**
 * Preloaded into `bin/local.ts` by the webhooks bench (`node --import tsx --import <this file>`):
 * counts the DynamoDB calls the runtime process sends, like bench/lib/dynamo-counter.ts (each HTTP
 * request to DynamoDB Local, retries included, by `X-Amz-Target` operation and table), and also by
 * the function that made the call, so the ingest's calls and the attribution worker's, which run in
 * the same process and touch the same tables, are counted apart.
 *
 * The function is read once per SDK call, when `send` is called (the AWS SDK v3 clients all share
 * one smithy `Client.prototype.send`): the first stack frame (synchronous or async) in
 * `functions/<name>/` other than `functions/common/` names it, or else the first in `lib/local/`
 * (the runtime's own pollers). At `send` time the caller is still on the stack even when the call
 * goes through a cache's loader, whose promise later loses the async stack. The name is carried
 * to the HTTP request(s) of that call in an AsyncLocalStorage.
 *
 * Nothing is counted until the bench asks: a small control server (printed on stdout) answers
 * `POST /start` (reset and count), `POST /stop` and `GET /counts`. No handler or runtime code is
 * changed; with counting off, the wrappers only test a flag.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ClientRequest, createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** `origin \t operation \t tables` → calls. */
const counts = new Map<string, number>();
const origins = new AsyncLocalStorage<string>();
let counting = false;

type Send = (this: unknown, ...args: unknown[]) => unknown;
// The handlers are loaded as CommonJS; this file may be loaded as an ES module, whose import of the
// SDK would be its ES build with another Client class. Both are wrapped (once if they are one).
const requireCjs = createRequire(join(process.cwd(), 'package.json'));
const cjsSdk = requireCjs('@aws-sdk/client-dynamodb') as typeof import('@aws-sdk/client-dynamodb');
const wrapped = new Set<object>();
for (const sdkClient of [DynamoDBClient, cjsSdk.DynamoDBClient]) {
  const prototype: unknown = Object.getPrototypeOf(sdkClient.prototype);
  if (!isRecord(prototype) || typeof prototype.send !== 'function') {
    throw new Error('bench call counter: the AWS SDK client has no shared send() to wrap');
  }
  if (wrapped.has(prototype)) continue;
  const originalSend = prototype.send as Send;
  prototype.send = function (this: unknown, ...args: unknown[]) {
    if (!counting || !isDynamoClient(this)) return Reflect.apply(originalSend, this, args);
    return origins.run(callerFunction(), () => Reflect.apply(originalSend, this, args));
  };
  wrapped.add(prototype);
}

const originalEnd = ClientRequest.prototype.end;
// The SDK sends each request's whole JSON body with `end(body)`.
ClientRequest.prototype.end = function (this: ClientRequest, ...args: unknown[]) {
  if (counting && String(this.getHeader('host')) === dynamoHost()) {
    const operation = String(this.getHeader('x-amz-target') ?? 'unknown').replace(/^DynamoDB_\d+\./, '');
    const key = `${origins.getStore() ?? 'unknown'}\t${operation}\t${tablesOf(args[0])}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return Reflect.apply(originalEnd, this, args);
} as ClientRequest['end'];

let endpoint: { url: string; host: string } | undefined;
/**
 * DynamoDB Local's host, from the variable the runtime sets once its DynamoDB Local is up (after this
 * file is loaded; an inherited value is replaced then).
 */
function dynamoHost(): string | undefined {
  const url = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  if (!url) return undefined;
  if (endpoint?.url !== url) endpoint = { url, host: new URL(url).host };
  return endpoint.host;
}

function isDynamoClient(client: unknown): boolean {
  const config = isRecord(client) ? client.config : undefined;
  const serviceId = isRecord(config) ? config.serviceId : undefined;
  return typeof serviceId === 'string' && serviceId.startsWith('DynamoDB');
}

/** `ingest`, `attribution`, … (the directory under functions/), or `local runtime: <file>`. */
function callerFunction(): string {
  const savedPrepare = Error.prepareStackTrace;
  const savedLimit = Error.stackTraceLimit;
  let sites: unknown;
  try {
    Error.stackTraceLimit = 100;
    Error.prepareStackTrace = (_error, callSites) => callSites;
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder);
    // `stack` is formatted when first read: read it while our prepareStackTrace is in place.
    sites = holder.stack;
  } finally {
    Error.prepareStackTrace = savedPrepare;
    Error.stackTraceLimit = savedLimit;
  }
  const files = (Array.isArray(sites) ? (sites as NodeJS.CallSite[]) : []).map(
    (site) => site.getFileName() ?? '',
  );
  for (const file of files) {
    const fn = /\/functions\/([^/]+)\//.exec(file)?.[1];
    if (fn && fn !== 'common') return fn;
  }
  for (const file of files) {
    const local = /\/lib\/local\/([^/]+)\.ts$/.exec(file)?.[1];
    if (local) return `local runtime: ${local}`;
  }
  return 'unknown';
}

/** Every table a DynamoDB JSON request names, in order, joined with '+' ('-' for none). */
function tablesOf(body: unknown): string {
  const text =
    typeof body === 'string' ? body : body instanceof Uint8Array ? Buffer.from(body).toString('utf8') : '';
  const names = [...text.matchAll(/"TableName"\s*:\s*"([^"]+)"/g)].map((m) => m[1] ?? '');
  return names.length > 0 ? [...new Set(names)].join('+') : '-';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

const control = createServer((req, res) => {
  const route = `${req.method} ${req.url}`;
  if (route === 'POST /start') {
    counts.clear();
    counting = true;
  } else if (route === 'POST /stop') {
    counting = false;
  } else if (route !== 'GET /counts') {
    res.writeHead(404).end();
    return;
  }
  const rows = [...counts].map(([key, calls]) => {
    const [origin = '', operation = '', tables = ''] = key.split('\t');
    return { origin, operation, tables, calls };
  });
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ counting, rows }));
});
control.listen(0, '127.0.0.1', () => {
  const { port } = control.address() as AddressInfo;
  process.stdout.write(`bench call counter: control at http://127.0.0.1:${port}\n`);
});
// The runtime's own shutdown decides when the process ends.
control.unref();
