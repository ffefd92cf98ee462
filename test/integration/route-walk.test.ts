/**
 * Every route of the manifest, walked with the inputs a careless or hostile caller sends: a path
 * parameter of 3,000 characters, one with a space, a body that violates the route's schema, and no
 * token. Each answer must be one of the route's declared 4xx statuses (never a 500), in the
 * contract's error shape where it is JSON, and nothing may be written to any table or queue.
 */
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { functions, type RouteSpec, routes } from '../../lib/wiring';
import { context, httpEvent } from '../support/events';
import type { HttpHandler } from '../support/handlers';
import { useTestStores } from '../support/stores';

let stores: Awaited<ReturnType<typeof useTestStores>>;
let sqs: SQSClient;
const handlers = new Map<string, HttpHandler>();

/** A well-formed value for each path parameter name, so that only the one under test is wrong. */
const validParam: Record<string, string> = {
  merchantId: 'walk-merchant',
  influencerId: 'walk-influencer',
  orderId: 'walk-order',
  code: 'walk-code',
  clickId: '01JD0000000000000000000000',
  handle: 'walk-front',
  period: '2026-11',
  payoutId: '2026-11#walk-influencer#USD',
  keyId: 'key_walk00000000',
  endpointId: 'end_walk00000000',
  eventId: 'evt_01KBDWAKK000000000000000AA',
  token: 'walkwalkwalkwalkwalkwalkwalkwalkwalkwalkwal',
};

const paramNames = (route: RouteSpec) =>
  [...route.path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1] ?? '');

function validParams(route: RouteSpec): Record<string, string> {
  return Object.fromEntries(
    paramNames(route).map((name) => {
      const value = validParam[name];
      if (!value) throw new Error(`Add a well-formed value for the path parameter "${name}" to this test.`);
      return [name, value];
    }),
  );
}

async function invoke(route: RouteSpec, overrides: Partial<Parameters<typeof httpEvent>[0]>) {
  const handler = handlers.get(route.fn);
  if (!handler) throw new Error(`No handler loaded for ${route.fn}`);
  const event: APIGatewayProxyEventV2 = httpEvent({
    method: route.method,
    route: route.path,
    pathParameters: validParams(route),
    admin: route.auth === 'admin',
    headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36' },
    ...(route.body ? { body: {} } : {}),
    ...overrides,
  });
  return handler(event, context(route.fn));
}

async function everythingStored(): Promise<number[]> {
  const { dynamo } = await import('../../functions/common/clients/aws');
  const counts: number[] = [];
  for (const table of Object.values(stores.tables)) {
    counts.push((await dynamo().send(new ScanCommand({ TableName: table, Select: 'COUNT' }))).Count ?? 0);
  }
  for (const queue of Object.values(stores.queues)) {
    const out = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queue.url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    counts.push(
      Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) +
        Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
    );
  }
  return counts;
}

function expectDeclared4xx(
  route: RouteSpec,
  res: { statusCode: number; body?: string; headers?: Record<string, string> },
) {
  const declared = Object.keys(route.responses).map(Number);
  const where = `${route.method} ${route.path} answered ${res.statusCode}: ${res.body?.slice(0, 200)}`;
  expect({ where, ok: res.statusCode >= 400 && res.statusCode < 500 }).toEqual({ where, ok: true });
  expect({ where, declared: declared.includes(res.statusCode) }).toEqual({ where, declared: true });
  if ((res.headers?.['content-type'] ?? '').startsWith('application/json')) {
    const body = JSON.parse(res.body ?? '{}');
    expect(typeof body.error?.code).toBe('string');
    expect(typeof body.error?.message).toBe('string');
  }
}

beforeAll(async () => {
  stores = await useTestStores('walk');
  sqs = new SQSClient({ endpoint: stores.sqsEndpoint, region: 'us-east-1' });
  for (const fn of new Set(routes.map((r) => r.fn))) {
    const entry = functions[fn].entry.replace(/\.ts$/, '');
    handlers.set(fn, (await import(`../../${entry}`)).handler as HttpHandler);
  }
});

afterAll(() => sqs.destroy());

const withParams = routes.filter((r) => paramNames(r).length > 0);
const withBody = routes.filter((r) => r.body);
const adminOnly = routes.filter((r) => r.auth === 'admin');
const cases = (list: RouteSpec[]) => list.map((r) => [`${r.method} ${r.path}`, r] as const);

describe('every route refuses what it does not accept, with a declared 4xx, writing nothing', () => {
  test.each(cases(withParams))('%s with a 3,000-character path parameter', async (_, route) => {
    const before = await everythingStored();
    for (const name of paramNames(route)) {
      const res = await invoke(route, {
        pathParameters: { ...validParams(route), [name]: 'x'.repeat(3000) },
      });
      expectDeclared4xx(route, res);
    }
    expect(await everythingStored()).toEqual(before);
  });

  test.each(cases(withParams))('%s with a space in a path parameter', async (_, route) => {
    const before = await everythingStored();
    for (const name of paramNames(route)) {
      const res = await invoke(route, { pathParameters: { ...validParams(route), [name]: 'bad id' } });
      expectDeclared4xx(route, res);
    }
    expect(await everythingStored()).toEqual(before);
  });

  test.each(cases(withBody))('%s with a body that violates its schema', async (_, route) => {
    const before = await everythingStored();
    for (const body of ['[]', '"text"', '{"unexpected": true}', '{not json']) {
      expectDeclared4xx(route, await invoke(route, { body }));
    }
    expect(await everythingStored()).toEqual(before);
  });

  test.each(cases(adminOnly))('%s without a token', async (_, route) => {
    const before = await everythingStored();
    const res = await invoke(route, { admin: false });
    expect(res.statusCode).toBe(401);
    expect(JSON.parse(res.body ?? '{}').error.code).toBe('unauthorized');
    expect(await everythingStored()).toEqual(before);
  });

  it('walks every route of the manifest', () => {
    // The lists above come from the manifest itself; this guards against an empty walk.
    expect(withParams.length).toBeGreaterThan(10);
    expect(withBody.length).toBeGreaterThan(5);
    expect(adminOnly.length).toBe(routes.filter((r) => r.path.startsWith('/admin/')).length);
  });
});
