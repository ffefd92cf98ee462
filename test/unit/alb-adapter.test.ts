/**
 * The load balancer front door's adapter (functions/common/http/alb.ts): an ALB event becomes the
 * HTTP API event the route handlers read, and their answer becomes the ALB's result shape.
 */
import type { ALBEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import {
  acceptingAlbEvents,
  albResult,
  httpApiEventOf,
  isAlbEvent,
  matchRoute,
} from '../../functions/common/http/alb';
import { context, httpEvent } from '../support/events';

const ROUTES = [
  { method: 'GET', path: '/{code}' },
  { method: 'HEAD', path: '/{code}' },
];

function albEvent(overrides: Partial<ALBEvent> = {}): ALBEvent {
  return {
    requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/r/1' } },
    httpMethod: 'GET',
    path: '/rita-1',
    multiValueQueryStringParameters: {},
    multiValueHeaders: {
      host: ['go.example.com'],
      'user-agent': ['Mozilla/5.0'],
      'x-forwarded-for': ['203.0.113.9, 198.51.100.23'],
      'x-amzn-trace-id': ['Root=1-67891233-abcdef012345678912345678'],
    },
    body: '',
    isBase64Encoded: false,
    ...overrides,
  };
}

test('tells the two front doors apart', () => {
  expect(isAlbEvent(albEvent())).toBe(true);
  expect(isAlbEvent(httpEvent({ method: 'GET', route: '/{code}', path: '/x' }))).toBe(false);
});

test('matches a route and its path parameters as API Gateway does', () => {
  expect(matchRoute(ROUTES, 'GET', '/rita-1')).toEqual({
    routeKey: 'GET /{code}',
    pathParameters: { code: 'rita-1' },
  });
  expect(matchRoute(ROUTES, 'HEAD', '/a%20b')?.pathParameters).toEqual({ code: 'a b' });
  expect(matchRoute(ROUTES, 'GET', '/')).toBeUndefined();
  expect(matchRoute(ROUTES, 'GET', '/a/b')).toBeUndefined();
  expect(matchRoute(ROUTES, 'POST', '/rita-1')).toBeUndefined();
});

test('a path segment keeps its plus signs, as API Gateway reads them; a query value does not', () => {
  expect(matchRoute(ROUTES, 'GET', '/a+b')?.pathParameters).toEqual({ code: 'a+b' });
  const event = httpApiEventOf(
    albEvent({ multiValueQueryStringParameters: { q: ['a+b'] }, path: '/a+b' }),
    ROUTES,
  );
  expect(event.pathParameters).toEqual({ code: 'a+b' });
  expect(event.queryStringParameters).toEqual({ q: 'a b' });
});

test('query keys named like Object properties are keys like any other', () => {
  const event = httpApiEventOf(
    albEvent({
      // Parsed, as the event is: a `__proto__` key of an object literal would set its prototype instead.
      multiValueQueryStringParameters: JSON.parse(
        '{"constructor":["x"],"__proto__":["y"],"toString":["z","w"]}',
      ),
    }),
    ROUTES,
  );
  const query = event.queryStringParameters ?? {};
  expect(Object.hasOwn(query, 'constructor') && query.constructor).toBe('x');
  expect(Object.hasOwn(query, '__proto__')).toBe(true);
  expect(Object.getOwnPropertyDescriptor(query, '__proto__')?.value).toBe('y');
  expect(Object.hasOwn(query, 'toString') && query.toString).toBe('z,w');
  expect(Object.getPrototypeOf(query)).toBe(Object.prototype);
});

test('an ALB event reads like the HTTP API event of the same request', () => {
  const event = httpApiEventOf(
    albEvent({
      multiValueHeaders: {
        host: ['go.example.com'],
        'User-Agent': ['Mozilla/5.0'],
        cookie: ['vid=AAAAAAAAAAAAAAAAAAAAAA; other=1'],
        referer: ['https://www.instagram.com/p/abc'],
        'x-forwarded-for': ['203.0.113.9, 198.51.100.23'],
        'x-amzn-trace-id': ['Root=1-67891233-abcdef012345678912345678'],
      },
      multiValueQueryStringParameters: { utm_source: ['ig'], q: ['a%20b', 'c'], flag: [''] },
    }),
    ROUTES,
  );
  expect(event).toMatchObject({
    routeKey: 'GET /{code}',
    rawPath: '/rita-1',
    pathParameters: { code: 'rita-1' },
    cookies: ['vid=AAAAAAAAAAAAAAAAAAAAAA', 'other=1'],
    rawQueryString: 'utm_source=ig&q=a%20b&q=c&flag',
    queryStringParameters: { utm_source: 'ig', q: 'a b,c', flag: '' },
    requestContext: {
      http: { method: 'GET', path: '/rita-1', sourceIp: '198.51.100.23', userAgent: 'Mozilla/5.0' },
      requestId: 'Root=1-67891233-abcdef012345678912345678',
      domainName: 'go.example.com',
    },
  });
  expect(event.headers).toMatchObject({
    'user-agent': 'Mozilla/5.0',
    referer: 'https://www.instagram.com/p/abc',
  });
  // The Cookie header moves to `cookies`, as API Gateway moves it.
  expect(event.headers).not.toHaveProperty('cookie');
});

test('the single-value event shape is read too', () => {
  const event = httpApiEventOf(
    albEvent({
      multiValueHeaders: undefined,
      multiValueQueryStringParameters: undefined,
      headers: { 'user-agent': 'UA', cookie: 'vid=x', 'x-forwarded-for': '198.51.100.7' },
      queryStringParameters: { utm_source: 'tt' },
      httpMethod: 'HEAD',
    }),
    ROUTES,
  );
  expect(event).toMatchObject({
    routeKey: 'HEAD /{code}',
    cookies: ['vid=x'],
    rawQueryString: 'utm_source=tt',
    requestContext: { http: { method: 'HEAD', sourceIp: '198.51.100.7' } },
  });
});

test('an unknown path has no route key the handler knows', () => {
  expect(httpApiEventOf(albEvent({ path: '/a/b' }), ROUTES).routeKey).toBe('$default');
});

test('a redirect answers with its status line, Location and every Set-Cookie', () => {
  const result = {
    statusCode: 302,
    headers: { location: 'https://shop.example.com/p?c=1', 'cache-control': 'no-store' },
    cookies: ['vid=abc; Path=/; HttpOnly', 'x=1'],
    body: '',
  };
  expect(albResult(result, true)).toEqual({
    statusCode: 302,
    statusDescription: '302 Found',
    multiValueHeaders: {
      location: ['https://shop.example.com/p?c=1'],
      'cache-control': ['no-store'],
      'set-cookie': ['vid=abc; Path=/; HttpOnly', 'x=1'],
    },
    body: '',
    isBase64Encoded: false,
  });
  expect(albResult({ ...result, cookies: ['vid=abc'] }, false)).toEqual({
    statusCode: 302,
    statusDescription: '302 Found',
    headers: {
      location: 'https://shop.example.com/p?c=1',
      'cache-control': 'no-store',
      'set-cookie': 'vid=abc',
    },
    body: '',
    isBase64Encoded: false,
  });
  expect(() => albResult(result, false)).toThrow(/multi-value/);
  expect(albResult({ statusCode: 410, body: '{}' }, true).statusDescription).toBe('410 Gone');
});

test('the handler serves HTTP API events as they are and ALB events translated', async () => {
  const seen: APIGatewayProxyEventV2[] = [];
  const handler = acceptingAlbEvents({ a: ROUTES[0] as { method: string; path: string } }, async (event) => {
    seen.push(event);
    return { statusCode: 404, headers: { 'content-type': 'application/json' }, body: '{"error":{}}' };
  });
  const api = httpEvent({ method: 'GET', route: '/{code}', path: '/x', pathParameters: { code: 'x' } });
  expect(await handler(api, context())).toMatchObject({
    statusCode: 404,
    headers: { 'content-type': 'application/json' },
  });
  expect(seen[0]).toBe(api);
  expect(await handler(albEvent(), context())).toMatchObject({
    statusCode: 404,
    statusDescription: '404 Not Found',
    multiValueHeaders: { 'content-type': ['application/json'] },
  });
  expect(seen[1]?.pathParameters).toEqual({ code: 'rita-1' });
});
