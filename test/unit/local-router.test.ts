import { matchRoute } from '../../functions/common/http/route-match';
import { routes } from '../../lib/wiring';

describe('matchRoute (API Gateway rules over the wiring manifest)', () => {
  it.each([
    ['GET', '/healthz', 'GET /healthz', {}],
    ['GET', '/openapi.json', 'GET /openapi.json', {}],
    ['GET', '/abc123', 'GET /{code}', { code: 'abc123' }],
    ['HEAD', '/abc123', 'HEAD /{code}', { code: 'abc123' }],
    ['POST', '/admin/links', 'POST /admin/links', {}],
    ['GET', '/admin/links/abc', 'GET /admin/links/{code}', { code: 'abc' }],
    ['PATCH', '/admin/links/abc', 'PATCH /admin/links/{code}', { code: 'abc' }],
    [
      'POST',
      '/admin/merchants/m1/secrets',
      'POST /admin/merchants/{merchantId}/secrets',
      { merchantId: 'm1' },
    ],
    ['GET', '/a%20b', 'GET /{code}', { code: 'a b' }],
  ])('%s %s → %s', (method, path, key, params) => {
    const match = matchRoute(routes, method, path);
    expect(match && `${match.route.method} ${match.route.path}`).toBe(key);
    expect(match?.pathParameters).toEqual(params);
  });

  it.each([
    ['DELETE', '/admin/links/abc'],
    ['GET', '/'],
    ['GET', '/admin/unknown/x/y'],
    ['POST', '/abc'],
    ['GET', '/%E0%A4%A'],
  ])('%s %s matches nothing', (method, path) => {
    expect(matchRoute(routes, method, path)).toBeUndefined();
  });
});
