/**
 * The redirect behind the load balancer front door, against DynamoDB Local: the same handler takes
 * the ALB's event, writes the same click, and answers in the ALB's shape (status line, Location,
 * Set-Cookie in multi-value headers).
 */
import type { ALBEvent, ALBResult, APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { BROWSER_UA, context, httpEvent } from '../support/events';
import { useTestStores } from '../support/stores';

type Handler = (e: ALBEvent | APIGatewayProxyEventV2, c: Context) => Promise<ALBResult>;

let redirect: Handler;
let clicks: import('../../functions/common/repos/clicks').ClickRepo;

beforeAll(async () => {
  const stores = await useTestStores('redirect-alb');
  redirect = (await import('../../functions/redirect/handler')).handler as unknown as Handler;
  const admin = (await import('../../functions/admin/handler')).handler as unknown as (
    e: APIGatewayProxyEventV2,
    c: Context,
  ) => Promise<{ statusCode: number }>;
  clicks = (await import('../../functions/common/repos/clicks')).clickRepo(stores.tables.clicks);
  const post = async (route: string, body: unknown) => {
    const res = await admin(httpEvent({ method: 'POST', route, body, admin: true }), context());
    expect(res.statusCode).toBe(201);
  };
  await post('/admin/merchants', {
    merchantId: 'shop-alb',
    name: 'Shop',
    allowedDomains: ['shop.example.com'],
    currency: 'EUR',
    clickIdParam: 'ref_click',
    commission: { defaultBps: 500 },
  });
  await post('/admin/influencers', { influencerId: 'inf-alb', handle: 'inf-alb', name: 'Alba' });
  await post('/admin/links', {
    code: 'alba-1',
    influencerId: 'inf-alb',
    merchantId: 'shop-alb',
    targetUrl: 'https://shop.example.com/p/1',
  });
});

function albEvent(path: string, headers: Record<string, string[]> = {}, method = 'GET'): ALBEvent {
  return {
    requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/r/1' } },
    httpMethod: method,
    path,
    multiValueQueryStringParameters: { utm_source: ['ig'] },
    multiValueHeaders: {
      host: ['go.example.com'],
      'user-agent': [BROWSER_UA],
      'x-forwarded-for': ['198.51.100.23'],
      ...headers,
    },
    body: '',
    isBase64Encoded: false,
  };
}

test('a click through the load balancer is the same click, answered in its shape', async () => {
  const res = await redirect(albEvent('/alba-1'), context());
  expect(res).toMatchObject({ statusCode: 302, statusDescription: '302 Found' });
  const location = new URL(res.multiValueHeaders?.location?.[0] as string);
  expect(location.origin + location.pathname).toBe('https://shop.example.com/p/1');
  expect(location.searchParams.get('utm_source')).toBe('ig');
  const clickId = location.searchParams.get('ref_click') ?? '';
  const [cookie] = (res.multiValueHeaders?.['set-cookie'] ?? []) as string[];
  const visitorId = /^vid=([^;]+)/.exec(String(cookie))?.[1];
  expect(visitorId).toBeDefined();
  const stored = await clicks.get(clickId);
  expect(stored).toMatchObject({ clickId, code: 'alba-1', visitorId, bot: false, utm: { utm_source: 'ig' } });
  expect(JSON.stringify(stored)).not.toContain('198.51.100.23');

  // The cookie it set is read back from the Cookie header: no new cookie, the same visitor.
  const again = await redirect(albEvent('/alba-1', { cookie: [`vid=${visitorId}`] }), context());
  expect(again.multiValueHeaders?.['set-cookie']).toBeUndefined();
  const againId = new URL(again.multiValueHeaders?.location?.[0] as string).searchParams.get('ref_click');
  expect((await clicks.get(againId ?? ''))?.visitorId).toBe(visitorId);
});

test('HEAD, an unknown code and a path of no route are answered as behind the HTTP API', async () => {
  const head = await redirect(albEvent('/alba-1', {}, 'HEAD'), context());
  expect(head.statusCode).toBe(302);
  expect(new URL(head.multiValueHeaders?.location?.[0] as string).searchParams.has('ref_click')).toBe(false);

  const unknown = await redirect(albEvent('/nobody-1'), context());
  expect(unknown).toMatchObject({ statusCode: 404, statusDescription: '404 Not Found' });
  expect(JSON.parse(unknown.body ?? '')).toMatchObject({ error: { code: 'not_found' } });

  const nested = await redirect(albEvent('/a/b'), context());
  expect(nested.statusCode).toBe(404);
});
