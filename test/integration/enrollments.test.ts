/**
 * A merchant's program through the admin handler against DynamoDB Local (CONTRACT §10): enroll with
 * terms, replace them, read one and the whole program, end an enrollment; a link creation enrolls
 * an unenrolled pair in the same transaction, and a refused link enrolls nothing.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { context, httpEvent } from '../support/events';
import { useTestStores } from '../support/stores';

type Result = { statusCode: number; body?: string };
type Handler = (e: APIGatewayProxyEventV2, c: ReturnType<typeof context>) => Promise<Result>;

let handler: Handler;
let enrollments: ReturnType<typeof import('../../functions/common/repos/enrollments').enrollmentRepo>;

const call = async (method: string, route: string, opts: Partial<Parameters<typeof httpEvent>[0]> = {}) => {
  const res = await handler(httpEvent({ method, route, admin: true, ...opts }), context());
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
};
const ENROLLMENT = '/admin/merchants/{merchantId}/influencers/{influencerId}';
const enrollment = (merchantId: string, influencerId: string) => ({
  pathParameters: { merchantId, influencerId },
});

beforeAll(async () => {
  const stores = await useTestStores('programs');
  handler = (await import('../../functions/admin/handler')).handler as unknown as Handler;
  enrollments = (await import('../../functions/common/repos/enrollments')).enrollmentRepo(
    stores.tables.config,
  );
  for (const merchantId of ['glow', 'other']) {
    const res = await call('POST', '/admin/merchants', {
      body: {
        merchantId,
        name: merchantId,
        allowedDomains: ['shop.example.com'],
        currency: 'EUR',
        commission: { defaultBps: 1_000 },
      },
    });
    expect(res.status).toBe(201);
  }
  for (const influencerId of ['anna', 'ben', 'cleo']) {
    const res = await call('POST', '/admin/influencers', {
      body: { influencerId, handle: influencerId, name: influencerId },
    });
    expect(res.status).toBe(201);
  }
});

const terms = {
  commission: { defaultBps: 1_500, categoryBps: { beauty: 2_000 } },
  flatFees: [
    { feeId: 'launch-post', amountMinor: 50_000, dueAt: '2026-11-15T00:00:00Z', memo: 'Launch post' },
  ],
};

describe('enrollments', () => {
  it('enrolls with terms, keeps the first enrollment time when the terms are replaced, and reads them back', async () => {
    const first = await call('PUT', ENROLLMENT, { ...enrollment('glow', 'anna'), body: { terms } });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      merchantId: 'glow',
      influencerId: 'anna',
      terms: { ...terms, flatFees: [{ ...terms.flatFees[0], dueAt: '2026-11-15T00:00:00.000Z' }] },
    });
    const replaced = await call('PUT', ENROLLMENT, {
      ...enrollment('glow', 'anna'),
      body: { terms: { commission: { defaultBps: 1_200 } } },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.terms).toEqual({ commission: { defaultBps: 1_200 } });
    expect(replaced.body.enrolledAt).toBe(first.body.enrolledAt);
    expect((await call('GET', ENROLLMENT, enrollment('glow', 'anna'))).body).toEqual(replaced.body);
  });

  it('lists a merchant’s program and an influencer’s programs, each with one Query', async () => {
    expect((await call('PUT', ENROLLMENT, { ...enrollment('glow', 'ben'), body: {} })).status).toBe(200);
    expect((await call('PUT', ENROLLMENT, { ...enrollment('other', 'ben'), body: {} })).status).toBe(200);
    const program = await call('GET', '/admin/merchants/{merchantId}/influencers', {
      pathParameters: { merchantId: 'glow' },
    });
    expect(program.status).toBe(200);
    expect(program.body.items.map((e: { influencerId: string }) => e.influencerId)).toEqual(['anna', 'ben']);
    expect((await enrollments.ofInfluencer('ben')).map((e) => e.merchantId)).toEqual(['glow', 'other']);
  });

  it('answers 404 for an unknown merchant or influencer and for a pair not enrolled, writing nothing', async () => {
    expect((await call('PUT', ENROLLMENT, { ...enrollment('ghost', 'anna'), body: {} })).status).toBe(404);
    expect((await call('PUT', ENROLLMENT, { ...enrollment('glow', 'ghost'), body: {} })).status).toBe(404);
    expect(await enrollments.get('glow', 'ghost')).toBeUndefined();
    expect((await call('GET', ENROLLMENT, enrollment('glow', 'cleo'))).status).toBe(404);
    expect((await call('DELETE', ENROLLMENT, enrollment('glow', 'cleo'))).status).toBe(404);
    const program = await call('GET', '/admin/merchants/{merchantId}/influencers', {
      pathParameters: { merchantId: 'ghost' },
    });
    expect(program.status).toBe(404);
  });

  it.each([
    [
      'a fee without an amount',
      { flatFees: [{ feeId: 'f', dueAt: '2026-11-15T00:00:00Z' }] },
      'terms.flatFees.0.amountMinor',
    ],
    [
      'a fee of 0',
      { flatFees: [{ feeId: 'f', amountMinor: 0, dueAt: '2026-11-15T00:00:00Z' }] },
      'terms.flatFees.0.amountMinor',
    ],
    [
      'a fee due in 3026',
      { flatFees: [{ feeId: 'f', amountMinor: 1, dueAt: '3026-11-15T00:00:00Z' }] },
      'terms.flatFees.0.dueAt',
    ],
    [
      'a repeated feeId',
      { flatFees: [1, 2].map(() => ({ feeId: 'f', amountMinor: 1, dueAt: '2026-11-15T00:00:00Z' })) },
      'terms.flatFees.1.feeId',
    ],
    ['a rate over 10 000 bps', { commission: { defaultBps: 10_001 } }, 'terms.commission.defaultBps'],
  ])('refuses %s with 400 at its path and writes nothing', async (_, badTerms, path) => {
    const res = await call('PUT', ENROLLMENT, { ...enrollment('glow', 'cleo'), body: { terms: badTerms } });
    expect(res.status).toBe(400);
    expect(res.body.error.issues.map((i: { path: string }) => i.path)).toContain(path);
    expect(await enrollments.get('glow', 'cleo')).toBeUndefined();
  });

  it('ends an enrollment with 204; the pair can enroll again', async () => {
    expect((await call('PUT', ENROLLMENT, { ...enrollment('other', 'cleo'), body: {} })).status).toBe(200);
    const ended = await call('DELETE', ENROLLMENT, enrollment('other', 'cleo'));
    expect(ended.status).toBe(204);
    expect((await call('GET', ENROLLMENT, enrollment('other', 'cleo'))).status).toBe(404);
    expect((await call('PUT', ENROLLMENT, { ...enrollment('other', 'cleo'), body: {} })).status).toBe(200);
  });
});

describe('a link creation enrolls the pair', () => {
  const link = (code: string, influencerId: string, merchantId: string) => ({
    body: { code, influencerId, merchantId, targetUrl: 'https://shop.example.com/p' },
  });

  it('enrolls an unenrolled pair with no terms, in the same transaction as the link', async () => {
    expect(await enrollments.get('other', 'anna')).toBeUndefined();
    expect((await call('POST', '/admin/links', link('anna-other-1', 'anna', 'other'))).status).toBe(201);
    expect(await enrollments.get('other', 'anna')).toMatchObject({ terms: {} });
  });

  it('keeps the terms of a pair already enrolled', async () => {
    expect((await call('PUT', ENROLLMENT, { ...enrollment('glow', 'cleo'), body: { terms } })).status).toBe(
      200,
    );
    expect((await call('POST', '/admin/links', link('cleo-glow-1', 'cleo', 'glow'))).status).toBe(201);
    expect((await enrollments.get('glow', 'cleo'))?.terms.commission).toEqual(terms.commission);
  });

  it('enrolls nothing when the link is refused (a taken code)', async () => {
    expect((await call('DELETE', ENROLLMENT, enrollment('other', 'ben'))).status).toBe(204);
    const taken = await call('POST', '/admin/links', link('anna-other-1', 'ben', 'other'));
    expect(taken.status).toBe(409);
    expect(await enrollments.get('other', 'ben')).toBeUndefined();
  });
});
