/**
 * One attempt of one delivery (CONTRACT §12): the event's stored body, signed as Standard Webhooks
 * with the endpoint's secret (`webhook-id` is the event id on every attempt, the timestamp is the
 * attempt's), POSTed through the SSRF-safe client with a 10-second deadline. A 2xx delivers it;
 * anything else is retried after the next delay of domain/events.ts, until they run out: `failed`.
 *
 * Delays longer than SQS allows (15 minutes) are reached in hops: a message that arrives before
 * its delivery is due is sent on again, delayed by what is left. A message whose attempt count is
 * behind the delivery's (the attempt was recorded by another message) is dropped.
 */
import { Webhook } from 'standardwebhooks';
import { nextAttemptAt } from '../common/domain/events';
import type { SafePostRequest, SafePostResult } from '../common/net/safe-post';
import type { AttemptOutcome, Delivery, DeliveryRepo } from '../common/repos/deliveries';
import type { EndpointRepo } from '../common/repos/endpoints';
import type { DeliveryMessage } from '../common/schemas/messages';

/** The contract's answer deadline for one attempt. */
export const ATTEMPT_TIMEOUT_MS = 10_000;
/** How long an attempt is claimed: its deadline and the signing around it, with room to spare. */
const CLAIM_MS = ATTEMPT_TIMEOUT_MS + 5_000;

export interface DeliverDeps {
  deliveries: Pick<DeliveryRepo, 'get' | 'claim' | 'recordAttempt'>;
  endpoints: Pick<EndpointRepo, 'get' | 'signingSecret'>;
  post: (request: SafePostRequest) => Promise<SafePostResult>;
  /** Queues the delivery's next attempt, after `delaySeconds` (at most SQS's 15 minutes). */
  enqueue: (message: DeliveryMessage, delaySeconds: number) => Promise<void>;
  retryDelaysSeconds: readonly number[];
  allowLocal: boolean;
  now: () => Date;
}

export type AttemptResult = 'delivered' | 'retrying' | 'failed' | 'not_due' | 'stale';

export async function attemptDelivery(deps: DeliverDeps, message: DeliveryMessage): Promise<AttemptResult> {
  const delivery = await deps.deliveries.get(message.endpointId, message.eventId);
  if (delivery?.status !== 'pending' || delivery.attempts !== message.attempts) return 'stale';
  const now = deps.now();
  const dueInMs = delivery.dueAt ? Date.parse(delivery.dueAt) - now.getTime() : 0;
  // A hop on the way to a later attempt (or a message early by the queue's rounding).
  if (dueInMs > 1_000) {
    await deps.enqueue(message, dueInMs / 1000);
    return 'not_due';
  }

  // Several messages may hold this attempt (a redrive, retries asked for twice): one sends it.
  const claim = await deps.deliveries.claim(delivery, now, new Date(now.getTime() + CLAIM_MS));
  if (claim.kind === 'moved') return 'stale';
  if (claim.kind === 'held') {
    // Another worker is sending it, or died sending it (a killed runtime, a timed-out function):
    // look again once its claim has run out, so the attempt is never left to the slow redrive.
    await deps.enqueue(message, Math.max(1, (claim.heldUntil.getTime() - now.getTime()) / 1000 + 1));
    return 'not_due';
  }

  const [endpoint, secret] = await Promise.all([
    deps.endpoints.get(delivery.endpointId),
    deps.endpoints.signingSecret(delivery.endpointId),
  ]);
  if (!endpoint || !secret) {
    // The endpoint was deleted: nobody is left to deliver to.
    await deps.deliveries.recordAttempt(delivery, {
      at: now,
      error: 'The endpoint was deleted.',
      next: { status: 'failed' },
    });
    return 'failed';
  }

  const sentAt = deps.now();
  const signature = new Webhook(secret).sign(delivery.eventId, sentAt, delivery.body);
  const result = await deps.post({
    url: endpoint.url,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'creditlink-webhooks',
      'webhook-id': delivery.eventId,
      'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
      'webhook-signature': signature,
    },
    body: delivery.body,
    timeoutMs: ATTEMPT_TIMEOUT_MS,
    allowLocal: deps.allowLocal,
  });
  return record(deps, delivery, result);
}

async function record(deps: DeliverDeps, delivery: Delivery, result: SafePostResult): Promise<AttemptResult> {
  const at = deps.now();
  const statusCode = result.statusCode !== undefined ? { statusCode: result.statusCode } : {};
  if (result.outcome === 'delivered') {
    await deps.deliveries.recordAttempt(delivery, { at, ...statusCode, next: { status: 'delivered' } });
    return 'delivered';
  }
  const attempts = delivery.attempts + 1;
  const due = nextAttemptAt(attempts, at, deps.retryDelaysSeconds);
  const outcome: AttemptOutcome = {
    at,
    ...statusCode,
    error: `${result.error}: ${result.detail}`,
    next: due ? { status: 'pending', dueAt: due } : { status: 'failed' },
  };
  // Another message recorded this attempt first: what comes next is its business.
  if (!(await deps.deliveries.recordAttempt(delivery, outcome))) return 'stale';
  if (!due) return 'failed';
  await deps.enqueue(
    { endpointId: delivery.endpointId, eventId: delivery.eventId, attempts },
    (due.getTime() - at.getTime()) / 1000,
  );
  return 'retrying';
}
