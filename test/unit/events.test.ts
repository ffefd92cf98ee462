/**
 * Outgoing events decided from changes (domain/events.ts): which changes are events, their ids
 * (stable for the same change, different for another, sorted by time), the retry schedule, and one
 * attempt of a delivery (functions/deliveries/deliver.ts) with its store and queue as fakes.
 */
import fc from 'fast-check';
import {
  EVENT_ID_PATTERN,
  eventBody,
  eventId,
  nextAttemptAt,
  orderEvent,
  payoutEvents,
  RETRY_DELAYS_SECONDS,
} from '../../functions/common/domain/events';
import type { SafePostRequest, SafePostResult } from '../../functions/common/net/safe-post';
import type { AttemptOutcome, ClaimResult, Delivery } from '../../functions/common/repos/deliveries';
import { attemptDelivery, type DeliverDeps } from '../../functions/deliveries/deliver';
import { bodyFor } from '../../functions/events/produce';

const root = (status: string | undefined, version: number) => ({
  merchantId: 'm',
  orderId: 'o',
  status,
  version,
});

describe('order events', () => {
  it('is order.credited on the first crediting and on every later version while credited', () => {
    expect(orderEvent(root('pending', 1), root('credited', 2))?.type).toBe('order.credited');
    expect(orderEvent(undefined, root('credited', 1))?.type).toBe('order.credited');
    const refund = orderEvent(root('credited', 2), root('credited', 3));
    expect(refund?.type).toBe('order.credited');
    expect(refund?.identity).not.toBe(orderEvent(root('pending', 1), root('credited', 2))?.identity);
  });

  it('is nothing for a pending order or a write that leaves the version as it was', () => {
    expect(orderEvent(undefined, root('pending', 1))).toBeUndefined();
    expect(orderEvent(root('credited', 2), root('credited', 2))).toBeUndefined();
    expect(orderEvent(root('credited', 2), undefined)).toBeUndefined();
  });

  it('is order.unattributed once, when the order becomes unattributed', () => {
    expect(orderEvent(root('pending', 1), root('unattributed', 2))?.type).toBe('order.unattributed');
    expect(orderEvent(root('unattributed', 2), root('unattributed', 3))).toBeUndefined();
  });
});

describe('payout events', () => {
  const payout = (state: string, settlement?: unknown, status = 'payable') => ({
    payoutId: '2026-11#i#USD',
    status,
    state,
    ...(settlement ? { settlement } : {}),
  });

  it('is payout.created when a payable payout becomes final, written at once or after marking', () => {
    expect(payoutEvents(undefined, payout('done')).map((e) => e.type)).toEqual(['payout.created']);
    expect(payoutEvents(undefined, payout('marking'))).toEqual([]);
    expect(payoutEvents(payout('marking'), payout('done')).map((e) => e.type)).toEqual(['payout.created']);
    expect(payoutEvents(payout('done'), payout('done'))).toEqual([]);
  });

  it('is payout.settled when the settlement is recorded, and nothing for a carried-over payout', () => {
    const settled = payoutEvents(payout('done'), payout('done', { reference: 'r' }));
    expect(settled.map((e) => e.type)).toEqual(['payout.settled']);
    expect(payoutEvents(payout('done', { reference: 'r' }), payout('done', { reference: 'r' }))).toEqual([]);
    expect(payoutEvents(undefined, payout('done', undefined, 'carried_over'))).toEqual([]);
  });
});

describe('event ids', () => {
  it('are the same for the same change and time, and differ for another change', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.integer({ min: 0, max: 2 ** 46 }), (a, b, ms) => {
        expect(eventId(a, ms)).toBe(eventId(a, ms));
        expect(eventId(a, ms)).toMatch(EVENT_ID_PATTERN);
        if (a !== b) expect(eventId(a, ms)).not.toBe(eventId(b, ms));
      }),
    );
  });

  it('sort by time, so the log reads newest first by its keys', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.integer({ min: 1, max: 2 ** 46 }), (a, b, ms) => {
        expect(eventId(a, ms - 1) < eventId(b, ms)).toBe(true);
      }),
    );
  });
});

describe('the retry schedule', () => {
  it('grows, and spans at least 24 hours before a delivery is failed', () => {
    for (let i = 1; i < RETRY_DELAYS_SECONDS.length; i++)
      expect(RETRY_DELAYS_SECONDS[i]).toBeGreaterThanOrEqual(RETRY_DELAYS_SECONDS[i - 1] ?? 0);
    const total = RETRY_DELAYS_SECONDS.reduce((sum, d) => sum + d, 0);
    expect(total).toBeGreaterThanOrEqual(24 * 3600);
    const failedAt = new Date('2026-12-01T00:00:00.000Z');
    expect(nextAttemptAt(1, failedAt)?.toISOString()).toBe('2026-12-01T00:00:05.000Z');
    expect(nextAttemptAt(RETRY_DELAYS_SECONDS.length, failedAt)).toBeDefined();
    expect(nextAttemptAt(RETRY_DELAYS_SECONDS.length + 1, failedAt)).toBeUndefined();
  });

  it('sends the same body bytes on every attempt', () => {
    const at = new Date('2026-12-01T00:00:00.000Z');
    expect(eventBody('order.credited', at, { a: 1 })).toBe(
      '{"type":"order.credited","timestamp":"2026-12-01T00:00:00.000Z","data":{"a":1}}',
    );
  });
});

describe('one attempt', () => {
  const now = new Date('2026-12-01T10:00:00.000Z');
  const secret = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;
  const pending = (over: Partial<Delivery> = {}): Delivery => ({
    endpointId: 'end_1',
    eventId: 'evt_01KBD00000000000000000000A',
    type: 'order.credited',
    status: 'pending',
    attempts: 0,
    body: '{"type":"order.credited"}',
    createdAt: now.toISOString(),
    dueAt: now.toISOString(),
    ...over,
  });

  function harness(
    delivery: Delivery | undefined,
    answer: SafePostResult,
    endpoint = true,
    claimable = true,
    held: ClaimResult = { kind: 'moved' },
  ) {
    const recorded: AttemptOutcome[] = [];
    const queued: Array<{ attempts: number; delay: number }> = [];
    const posted: SafePostRequest[] = [];
    const deps: DeliverDeps = {
      deliveries: {
        get: async () => delivery,
        claim: async () => (claimable ? { kind: 'claimed' as const } : held),
        recordAttempt: async (_d, outcome) => {
          recorded.push(outcome);
          return true;
        },
      },
      endpoints: {
        get: async () =>
          endpoint
            ? {
                endpointId: 'end_1',
                url: 'https://hooks.example.com/x',
                events: ['order.credited'],
                createdAt: '',
                createdBy: 'operator',
              }
            : undefined,
        signingSecret: async () => (endpoint ? secret : undefined),
      },
      post: async (request) => {
        posted.push(request);
        return answer;
      },
      enqueue: async (message, delay) => {
        queued.push({ attempts: message.attempts, delay });
      },
      retryDelaysSeconds: [5, 30],
      allowLocal: false,
      now: () => now,
    };
    return { deps, recorded, queued, posted };
  }
  const message = { endpointId: 'end_1', eventId: 'evt_01KBD00000000000000000000A', attempts: 0 };

  it('posts the body signed with the event id and a 10-second deadline; a 2xx delivers it', async () => {
    const h = harness(pending(), { outcome: 'delivered', statusCode: 204 });
    expect(await attemptDelivery(h.deps, message)).toBe('delivered');
    expect(h.posted[0]).toMatchObject({ body: pending().body, timeoutMs: 10_000, allowLocal: false });
    expect(h.posted[0]?.headers['webhook-id']).toBe(message.eventId);
    expect(h.posted[0]?.headers['webhook-signature']).toMatch(/^v1,/);
    expect(h.recorded).toEqual([{ at: now, statusCode: 204, next: { status: 'delivered' } }]);
    expect(h.queued).toEqual([]);
  });

  it('schedules the next attempt after a failure, and gives up when the delays are spent', async () => {
    const h = harness(pending(), {
      outcome: 'failed',
      statusCode: 500,
      error: 'http_status',
      detail: 'HTTP 500',
    });
    expect(await attemptDelivery(h.deps, message)).toBe('retrying');
    expect(h.recorded[0]?.next).toEqual({ status: 'pending', dueAt: new Date(now.getTime() + 5_000) });
    expect(h.queued).toEqual([{ attempts: 1, delay: 5 }]);

    const last = harness(pending({ attempts: 2 }), {
      outcome: 'failed',
      error: 'timeout',
      detail: 'no answer',
    });
    expect(await attemptDelivery(last.deps, { ...message, attempts: 2 })).toBe('failed');
    expect(last.recorded[0]).toMatchObject({ next: { status: 'failed' }, error: 'timeout: no answer' });
    expect(last.queued).toEqual([]);
  });

  it('treats a refused address like any failed attempt: recorded and retried, never sent', async () => {
    const h = harness(pending(), {
      outcome: 'failed',
      error: 'refused_address',
      detail: '10.0.0.1 is private',
    });
    expect(await attemptDelivery(h.deps, message)).toBe('retrying');
    expect(h.recorded[0]?.error).toBe('refused_address: 10.0.0.1 is private');
  });

  it('drops a message whose attempt was recorded already, or whose delivery is not pending', async () => {
    expect(
      await attemptDelivery(
        harness(pending({ attempts: 1 }), { outcome: 'delivered', statusCode: 200 }).deps,
        message,
      ),
    ).toBe('stale');
    expect(
      await attemptDelivery(
        harness(pending({ status: 'delivered' }), { outcome: 'delivered', statusCode: 200 }).deps,
        message,
      ),
    ).toBe('stale');
    expect(
      await attemptDelivery(harness(undefined, { outcome: 'delivered', statusCode: 200 }).deps, message),
    ).toBe('stale');
  });

  it('drops a message whose attempt was recorded meanwhile, sending nothing', async () => {
    const h = harness(pending(), { outcome: 'delivered', statusCode: 200 }, true, false);
    expect(await attemptDelivery(h.deps, message)).toBe('stale');
    expect(h.posted).toEqual([]);
    expect(h.recorded).toEqual([]);
  });

  it('looks again after the claim of another worker runs out: that worker may have died sending it', async () => {
    const heldUntil = new Date(now.getTime() + 12_000);
    const h = harness(pending(), { outcome: 'delivered', statusCode: 200 }, true, false, {
      kind: 'held',
      heldUntil,
    });
    expect(await attemptDelivery(h.deps, message)).toBe('not_due');
    expect(h.posted).toEqual([]);
    expect(h.queued).toEqual([{ attempts: 0, delay: 13 }]);
  });

  it('sends a message that is early on again, delayed by what is left (hops to a late attempt)', async () => {
    const h = harness(pending({ dueAt: new Date(now.getTime() + 3_600_000).toISOString() }), {
      outcome: 'delivered',
      statusCode: 200,
    });
    expect(await attemptDelivery(h.deps, message)).toBe('not_due');
    expect(h.queued).toEqual([{ attempts: 0, delay: 3_600 }]);
    expect(h.posted).toEqual([]);
  });

  it('fails the delivery of an endpoint that was deleted', async () => {
    const h = harness(pending(), { outcome: 'delivered', statusCode: 200 }, false);
    expect(await attemptDelivery(h.deps, message)).toBe('failed');
    expect(h.recorded[0]).toMatchObject({ next: { status: 'failed' } });
    expect(h.posted).toEqual([]);
  });
});

describe('the body an endpoint receives', () => {
  const at = new Date('2026-12-01T10:00:00.000Z');
  const share = (influencerId: string, commissionMinor: number) => ({
    influencerId,
    clickId: `click-${influencerId}`,
    weightBps: 5_000,
    commissionMinor,
    status: 'unpaid' as const,
    method: 'linear' as const,
    clickIds: [`click-${influencerId}`],
  });
  const view = {
    merchantId: 'm',
    orderId: 'o',
    status: 'credited' as const,
    currency: 'USD',
    occurredAt: at.toISOString(),
    amountMinor: 10_000,
    originalAmountMinor: 10_000,
    commissionMinor: 1_000,
    clickId: 'click-j',
    couponCode: 'JAY',
    attributions: [share('i', 600), share('j', 400)],
    refunds: [],
    adjustments: [
      { influencerId: 'j', amountMinor: -100, occurredAt: at.toISOString(), status: 'unpaid' as const },
    ],
  };
  const event = {
    type: 'order.credited' as const,
    eventId: 'evt_01KBD00000000000000000000A',
    body: eventBody('order.credited', at, view),
    order: { view, at },
    merchantId: 'm',
    influencerIds: ['i', 'j'],
  };

  it("is the whole order view for the operator's and the merchant's endpoints", () => {
    expect(bodyFor({}, event)).toBe(event.body);
    expect(bodyFor({ merchantId: 'm' }, event)).toBe(event.body);
    expect(bodyFor({ merchantId: 'm', influencerId: 'i' }, event)).toBe(event.body);
  });

  it("is narrowed to the influencer of an endpoint scoped to it alone: never another's share", () => {
    const body = JSON.parse(bodyFor({ influencerId: 'i' }, event));
    expect(body.data.attributions.map((a: { influencerId: string }) => a.influencerId)).toEqual(['i']);
    expect(body.data.commissionMinor).toBe(600);
    expect(body.data.adjustments).toEqual([]);
    expect(body.data.couponCode).toBeUndefined();
    expect(body.data.clickId).toBeUndefined();
    expect(JSON.stringify(body)).not.toContain('click-j');
  });
});
