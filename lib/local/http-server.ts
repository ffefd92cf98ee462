/**
 * The local API Gateway: an HTTP server that matches the wiring manifest's routes, builds the
 * payload 2.0 event and calls the exact exported `handler` of the function that serves the route.
 * While a stand-in is known to be down (lib/local/supervisor.ts) it answers 503 `unavailable`
 * itself, as a gateway in front of an unreachable backend would, and the handlers stay as in AWS.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { resolve } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { matchRoute } from '../../functions/common/http/route-match';
import { defaultRoute, type FunctionKey, functions, routeKey, routes } from '../wiring';
import { lambdaContext, toApiGatewayEvent, writeResult } from './api-gateway-event';
import { perInvocation } from './invocation';
import { ALWAYS_UP, type StandInHealth } from './supervisor';

type HttpLambda = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2 | string>;

/** API Gateway's own limit on a request payload; the handlers apply the contract's smaller one. */
const GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

const repoRoot = resolve(__dirname, '..', '..');
const loaded = new Map<FunctionKey, Promise<HttpLambda>>();

/**
 * Imports a function's handler module once, as a warm Lambda instance would keep it; each call of it
 * runs in its own invocation context (./invocation.ts).
 */
export function loadHandler<T = HttpLambda>(fn: FunctionKey): Promise<T> {
  let handler = loaded.get(fn);
  if (!handler) {
    handler = perInvocation(fn, () =>
      import(resolve(repoRoot, functions[fn].entry)).then((mod: { handler: HttpLambda }) => mod.handler),
    );
    loaded.set(fn, handler);
  }
  return handler as Promise<T>;
}

export function createApiServer(health: StandInHealth = ALWAYS_UP): Server {
  return createServer((req, res) => {
    readBody(req)
      .then(async (body) => {
        const down = health.unavailable();
        if (down !== undefined) {
          writeResult(res, unavailable(down), req.method === 'HEAD');
          return;
        }
        if (body === undefined) {
          writeResult(res, gatewayError(413, 'payload_too_large', 'The request body is too large.'), false);
          return;
        }
        // Parsed once: the router and the event both need it.
        const url = new URL(req.url ?? '/', 'http://local');
        const match = matchRoute(routes, req.method ?? 'GET', url.pathname);
        const fn = match?.route.fn ?? defaultRoute.fn;
        const event = toApiGatewayEvent({
          req,
          url,
          body,
          routeKey: match ? routeKey(match.route) : '$default',
          pathParameters: match?.pathParameters,
        });
        const handler = await loadHandler(fn);
        const result = await handler(event, lambdaContext(fn, functions[fn].timeoutSeconds));
        writeResult(res, result, req.method === 'HEAD');
      })
      .catch((err: unknown) => {
        // A store that died under this request: the supervisor has said so already, in one line.
        const down = health.unavailable();
        if (down === undefined) console.error('Handler failed:', err);
        if (res.headersSent) res.destroy();
        else if (down !== undefined) writeResult(res, unavailable(down), false);
        // What API Gateway answers when a function throws instead of returning.
        else writeResult(res, gatewayError(500, 'internal_error', 'Internal server error.'), false);
      });
  });
}

function gatewayError(
  statusCode: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
) {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify({ error: { code, message } }),
  };
}

/** Retryable: the supervisor is bringing the store back. */
const unavailable = (reason: string) =>
  gatewayError(503, 'unavailable', reason, { 'retry-after': '1', 'cache-control': 'no-store' });

/** The whole body, or undefined once it passes API Gateway's limit (the rest is discarded). */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > GATEWAY_MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolveBody(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
