/**
 * An Application Load Balancer in front of a function, beside the HTTP API (lib/constructs/
 * redirect-front-door.ts). The load balancer matches no routes and speaks its own event shape, so
 * this turns its event into the HTTP API's (payload 2.0: route key, path parameters, cookies,
 * source IP) for the same `routeHandler` and domain code, and the answer back into the load
 * balancer's (status line, headers with Set-Cookie). An HTTP API event passes through untouched.
 *
 * The target group sends multi-value headers (lib/constructs/redirect-front-door.ts), so several
 * Set-Cookie headers and repeated query keys survive; the single-value shape is understood too.
 */
import { STATUS_CODES } from 'node:http';
import type { ALBEvent, ALBResult, APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { HttpResult } from './responses';
import { routeKeyOf } from './route-key';
import { matchRoute as matchDeclaredRoute, type RoutePattern } from './route-match';

type HttpApiHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<HttpResult>;

/** What an event says about its sender: the load balancer's carry `requestContext.elb`. */
export function isAlbEvent(event: unknown): event is ALBEvent {
  const context = (event as { requestContext?: { elb?: unknown } } | undefined)?.requestContext;
  return typeof context?.elb === 'object' && context.elb !== null;
}

/**
 * The handler of `routes` for both front doors: HTTP API events go to `handler` as they are, load
 * balancer events are translated on the way in and out.
 */
export function acceptingAlbEvents(
  routes: Readonly<Record<string, { method: string; path: string }>>,
  handler: HttpApiHandler,
) {
  const declared = Object.values(routes);
  return async (event: APIGatewayProxyEventV2 | ALBEvent, context: Context) => {
    if (!isAlbEvent(event)) return handler(event, context);
    const multiValue = event.multiValueHeaders !== undefined;
    return albResult(await handler(httpApiEventOf(event, declared), context), multiValue);
  };
}

/** Header names, lower-cased, with every value each was sent with. */
function headersOf(event: ALBEvent): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  const add = (name: string, values: readonly string[]) => {
    const key = name.toLowerCase();
    headers.set(key, [...(headers.get(key) ?? []), ...values]);
  };
  for (const [name, values] of Object.entries(event.multiValueHeaders ?? {})) add(name, values ?? []);
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) add(name, [value]);
  }
  return headers;
}

/** Query pairs as sent: the load balancer passes names and values still percent-encoded. */
function queryPairsOf(event: ALBEvent): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const [name, values] of Object.entries(event.multiValueQueryStringParameters ?? {})) {
    for (const value of values ?? []) pairs.push([name, value]);
  }
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (value !== undefined) pairs.push([name, value]);
  }
  return pairs;
}

/** A query name or value, `+` being a space there as in a form; left as sent if badly encoded. */
function decodedQueryPart(text: string): string {
  const spaced = text.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/**
 * The declared route a method and path match, with its path parameters, by the same rules as the
 * local runtime's router (./route-match.ts), as its route key.
 */
export function matchRoute(
  routes: readonly RoutePattern[],
  method: string,
  path: string,
): { routeKey: string; pathParameters: Record<string, string> } | undefined {
  const matched = matchDeclaredRoute(routes, method, path);
  return matched && { routeKey: routeKeyOf(matched.route), pathParameters: matched.pathParameters };
}

/** The load balancer's event as the HTTP API would have sent the same request (payload 2.0). */
export function httpApiEventOf(event: ALBEvent, routes: readonly RoutePattern[]): APIGatewayProxyEventV2 {
  const method = event.httpMethod.toUpperCase();
  const path = event.path || '/';
  const matched = matchRoute(routes, method, path);
  const headers = headersOf(event);
  const cookies = (headers.get('cookie') ?? [])
    .flatMap((line) => line.split(';'))
    .map((pair) => pair.trim())
    .filter((pair) => pair !== '');
  headers.delete('cookie');
  const pairs = queryPairsOf(event);
  // No prototype: a query key such as `constructor` or `__proto__` is a key like any other.
  const query: Record<string, string> = Object.create(null);
  for (const [name, value] of pairs) {
    const key = decodedQueryPart(name);
    // API Gateway joins repeated keys with commas.
    query[key] = Object.hasOwn(query, key)
      ? `${query[key]},${decodedQueryPart(value)}`
      : decodedQueryPart(value);
  }
  // The load balancer appends the address it was reached from to X-Forwarded-For: the last entry.
  const forwardedFor = (headers.get('x-forwarded-for') ?? []).join(',').split(',');
  const sourceIp = forwardedFor[forwardedFor.length - 1]?.trim() ?? '';
  const traceId = headers.get('x-amzn-trace-id')?.[0] ?? '';
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: matched?.routeKey ?? '$default',
    rawPath: path,
    rawQueryString: pairs.map(([name, value]) => (value === '' ? name : `${name}=${value}`)).join('&'),
    cookies: cookies.length > 0 ? cookies : undefined,
    headers: Object.fromEntries([...headers].map(([name, values]) => [name, values.join(',')])),
    // A plain object again, with each key its own property (`__proto__` included).
    queryStringParameters: pairs.length > 0 ? Object.fromEntries(Object.entries(query)) : undefined,
    pathParameters: matched?.pathParameters,
    requestContext: {
      accountId: '',
      apiId: '',
      domainName: headers.get('host')?.[0] ?? '',
      domainPrefix: '',
      http: {
        method,
        path,
        protocol: 'HTTP/1.1',
        sourceIp,
        userAgent: headers.get('user-agent')?.[0] ?? '',
      },
      // The load balancer's trace header is the one id it gives a request.
      requestId: traceId,
      routeKey: matched?.routeKey ?? '$default',
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    body: event.body ?? undefined,
    isBase64Encoded: event.isBase64Encoded,
  };
}

/** The answer in the load balancer's shape: a status line, and Set-Cookie as headers. */
export function albResult(result: HttpResult, multiValue: boolean): ALBResult {
  const statusDescription = `${result.statusCode} ${STATUS_CODES[result.statusCode] ?? ''}`.trim();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  const cookies = result.cookies ?? [];
  const base = {
    statusCode: result.statusCode,
    statusDescription,
    body: result.body ?? '',
    isBase64Encoded: result.isBase64Encoded ?? false,
  };
  if (multiValue) {
    const multiValueHeaders: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(headers)) multiValueHeaders[name] = [value];
    if (cookies.length > 0) multiValueHeaders['set-cookie'] = [...cookies];
    return { ...base, multiValueHeaders };
  }
  if (cookies.length > 1) {
    // A single-value target group can carry one Set-Cookie only: refuse rather than drop one.
    throw new Error('More than one cookie needs the target group’s multi-value headers.');
  }
  return { ...base, headers: cookies[0] ? { ...headers, 'set-cookie': cookies[0] } : headers };
}
