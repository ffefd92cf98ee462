/**
 * Outgoing events (CONTRACT §12), decided from committed changes: the before and after images of an
 * order root or a payout item, as the tables' streams give them. Nothing here reads or writes; the
 * stream consumer (functions/events) turns each decided event into deliveries.
 *
 * Each event's id is a function of the change itself (the order and its version, the payout and
 * what happened to it) and of its time, so a stream batch read again decides the same ids, and a
 * delivery is never made twice for one change. The id starts with the change's time in ULID form,
 * so ids sort by time (the delivery log's "newest first" is the sort order of its keys).
 */
import { createHash } from 'node:crypto';
import { ulidTimePrefix } from './ids';

export const EVENT_TYPES = [
  'order.credited',
  'order.unattributed',
  'payout.created',
  'payout.settled',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** `evt_` + 10 characters of time + 16 of the change's identity (80 bits of SHA-256). */
export function eventId(identity: string, atMs: number): string {
  const digest = createHash('sha256').update(identity, 'utf8').digest();
  let tail = '';
  for (let i = 0; i < 16; i++) tail += CROCKFORD.charAt((digest[i] ?? 0) % 32);
  return `evt_${ulidTimePrefix(atMs)}${tail}`;
}

export const EVENT_ID_PATTERN = /^evt_[0-9A-HJKMNP-TV-Z]{26}$/;

/** What an order root says about its crediting, as far as events care. */
export interface RootImage {
  merchantId: string;
  orderId: string;
  status?: string;
  version?: number;
}

export interface OrderEventDecision {
  type: 'order.credited' | 'order.unattributed';
  /** What makes the change unique: the same order at the same version is the same change. */
  identity: string;
}

/**
 * `order.credited` when a root is credited for the first time or changes while credited (each
 * refund or cancellation writes the root at its next version); `order.unattributed` when it first
 * becomes unattributed. A pending order, or a write that changes neither, is no event.
 */
export function orderEvent(
  before: RootImage | undefined,
  after: RootImage | undefined,
): OrderEventDecision | undefined {
  if (!after) return undefined;
  const key = `${after.merchantId}/${after.orderId}`;
  if (after.status === 'credited') {
    if (before?.status === 'credited' && before.version === after.version) return undefined;
    return { type: 'order.credited', identity: `order.credited|${key}|${after.version ?? 0}` };
  }
  if (after.status === 'unattributed' && before?.status !== 'unattributed')
    return { type: 'order.unattributed', identity: `order.unattributed|${key}` };
  return undefined;
}

/** What a payout item says, as far as events care. */
export interface PayoutImage {
  payoutId: string;
  status: string;
  state?: string;
  settlement?: unknown;
}

export interface PayoutEventDecision {
  type: 'payout.created' | 'payout.settled';
  identity: string;
}

/**
 * `payout.created` when a payable payout's total becomes final (a run's payout is written while its
 * items are marked, then once more as `done`); `payout.settled` when its settlement is recorded.
 * A carried-over payout is no event: nothing is paid.
 */
export function payoutEvents(
  before: PayoutImage | undefined,
  after: PayoutImage | undefined,
): PayoutEventDecision[] {
  if (after?.status !== 'payable') return [];
  const decided: PayoutEventDecision[] = [];
  if (after.state === 'done' && before?.state !== 'done')
    decided.push({ type: 'payout.created', identity: `payout.created|${after.payoutId}` });
  if (after.settlement !== undefined && before?.settlement === undefined)
    decided.push({ type: 'payout.settled', identity: `payout.settled|${after.payoutId}` });
  return decided;
}

/**
 * Waits before each retry after a failed attempt: growing, from seconds to hours, so 12 attempts
 * (the first and 11 retries) over about 32 hours (the contract asks for at least 24), then the
 * delivery is `failed`.
 */
export const RETRY_DELAYS_SECONDS = [
  5, 30, 120, 600, 1_800, 3_600, 7_200, 14_400, 28_800, 28_800, 28_800,
] as const;

/** The next attempt's time after `attempts` attempts have failed, or undefined: give up. */
export function nextAttemptAt(
  attempts: number,
  failedAt: Date,
  delays: readonly number[] = RETRY_DELAYS_SECONDS,
): Date | undefined {
  const delay = delays[attempts - 1];
  return delay === undefined ? undefined : new Date(failedAt.getTime() + delay * 1000);
}

/** The body every endpoint receives: `{type, timestamp, data}`, the same bytes on each retry. */
export function eventBody(type: EventType, occurredAt: Date, data: unknown): string {
  return JSON.stringify({ type, timestamp: occurredAt.toISOString(), data });
}
