/**
 * The bodies of the internal queues' messages, one schema per queue. Producers build their messages
 * as these types and consumers parse every record with these schemas (functions/common/queue/batch.ts),
 * so a message that either side misreads is a failure of that record, never a silent wrong value.
 */
import { isPeriod } from '../domain/payout';
import { orderEventSchema } from './webhooks';
import * as z from './zod';

/** Orders queue: one accepted webhook event, as the ingest kept it in the inbox. */
export const orderMessageSchema = z.object({
  merchantId: z.string().check(z.minLength(1)),
  webhookId: z.string().check(z.minLength(1)),
  receivedAt: z.iso.datetime({ offset: false }),
  event: orderEventSchema,
});
export type OrderMessage = z.output<typeof orderMessageSchema>;

const periodSchema = z.string().check(z.refine(isPeriod, 'Must be a month as YYYY-MM.'));

/** Payout-jobs queue: one influencer's part of one payout run. */
export const payoutJobSchema = z.object({
  period: periodSchema,
  influencerId: z.string().check(z.minLength(1)),
});
export type PayoutJob = z.output<typeof payoutJobSchema>;

/** Payout-jobs queue: go on recording and queueing a run, where a start stopped in its share of work. */
export const continueRunSchema = z.object({
  period: periodSchema,
  continueRun: z.literal(true),
});
export type ContinueRun = z.output<typeof continueRunSchema>;

/**
 * Everything the payout-jobs queue carries. A continuation is tried first: it is told apart by
 * `continueRun: true`, which a job never has.
 */
export const payoutJobsMessageSchema = z.union([continueRunSchema, payoutJobSchema]);
export type PayoutJobsMessage = z.output<typeof payoutJobsMessageSchema>;

/**
 * A delivery's next attempt (the deliveries queue): which endpoint and event, and the attempt count
 * it was queued at, so a message left over from an attempt already recorded is dropped.
 */
export const deliveryMessageSchema = z.object({
  endpointId: z.string().check(z.minLength(1)),
  eventId: z.string().check(z.minLength(1)),
  attempts: z.int().check(z.minimum(0)),
});
export type DeliveryMessage = z.output<typeof deliveryMessageSchema>;
