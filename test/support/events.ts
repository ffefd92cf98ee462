/** Builds API Gateway payload 2.0 events for calling handlers directly in integration tests. */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { lambdaContext } from '../../lib/local/api-gateway-event';
import { TEST_ADMIN_TOKEN } from './stores';

export interface EventInput {
  method: string;
  /** Route template, as in the wiring manifest: `/admin/links/{code}`. */
  route: string;
  path?: string;
  pathParameters?: Record<string, string>;
  headers?: Record<string, string>;
  cookies?: string[];
  query?: string;
  body?: unknown;
  sourceIp?: string;
  admin?: boolean;
}

export function httpEvent(input: EventInput): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {
    ...(input.admin ? { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } : {}),
  };
  for (const [k, v] of Object.entries(input.headers ?? {})) headers[k.toLowerCase()] = v;
  const body =
    input.body === undefined
      ? undefined
      : typeof input.body === 'string'
        ? input.body
        : JSON.stringify(input.body);
  const routeKey = `${input.method} ${input.route}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: input.path ?? input.route,
    rawQueryString: input.query ?? '',
    ...(input.query ? { queryStringParameters: Object.fromEntries(new URLSearchParams(input.query)) } : {}),
    cookies: input.cookies,
    headers,
    pathParameters: input.pathParameters,
    requestContext: {
      accountId: 'test',
      apiId: 'test',
      domainName: 'go.example.test',
      domainPrefix: 'go',
      http: {
        method: input.method,
        path: input.path ?? input.route,
        protocol: 'HTTP/1.1',
        sourceIp: input.sourceIp ?? '203.0.113.7',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: 'test-request',
      routeKey,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
    body,
    isBase64Encoded: false,
  };
}

export const context = (name = 'test'): Context => lambdaContext(name, 10);

export const BROWSER_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';

/** A shopper's GET of a short link: the redirect's event, with the visitor's cookie. */
export function redirectEvent(
  code: string,
  visitorId: string,
  userAgent = BROWSER_UA,
): APIGatewayProxyEventV2 {
  return httpEvent({
    method: 'GET',
    route: '/{code}',
    path: `/${code}`,
    pathParameters: { code },
    cookies: [`vid=${visitorId}`],
    headers: { 'user-agent': userAgent },
  });
}
