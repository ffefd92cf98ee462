/**
 * What an order's credits must be, given everything known about it (CONTRACT §7): the commission
 * on the lines still kept, split between the attributed influencers by weight, and for credits
 * already paid out, the negative adjustment (clawback) that brings what was paid down to what is
 * owed. Pure: the attribution worker reads an order's items, asks this module for the plan, and
 * writes it in one transaction.
 */
import {
  type CommissionRates,
  commissionAfterRefunds,
  type OrderLine,
  type RefundLine,
  remainingLines,
} from './commission';
import { splitRatedCommission } from './deal-commission';
import { compareInstants } from './instant';

export interface RefundEvent {
  eventId: string;
  occurredAt: string;
  /** The returned lines; a cancellation returns everything. */
  lines: RefundLine[] | 'all';
}

export interface ExistingCredit {
  influencerId: string;
  /** Unpaid: what it will pay. Paid: what was paid. */
  amountMinor: number;
  status: 'unpaid' | 'paid';
}

export interface ExistingAdjustment {
  influencerId: string;
  amountMinor: number;
}

export interface LedgerInput {
  lines: OrderLine[];
  rates: CommissionRates;
  /**
   * Attributed influencers, weights in bps summing to 10 000, in split tie-break order; each with
   * its own rates where its terms set them (CONTRACT §10), else the order's `rates`.
   */
  shares: Array<{ influencerId: string; weightBps: number; rates?: CommissionRates }>;
  refunds: RefundEvent[];
  credits: ExistingCredit[];
  adjustments: ExistingAdjustment[];
  /** The event being applied now: a clawback it causes is dated by it. */
  trigger?: { eventId: string; occurredAt: string };
}

export interface LedgerPlan {
  amountMinor: number;
  commissionMinor: number;
  /** The lines still kept after the refunds, which the commission is computed on. */
  keptLines: OrderLine[];
  /** What each influencer is owed now, in share order. */
  owed: Array<{ influencerId: string; amountMinor: number }>;
  /** Credits to create, or unpaid credits whose amount changes. */
  creditChanges: Array<{ influencerId: string; amountMinor: number; isNew: boolean }>;
  /** Clawbacks of paid credits: negative (or, if a refund is undone, positive) corrections. */
  newAdjustments: Array<{ influencerId: string; amountMinor: number; eventId: string; occurredAt: string }>;
}

/** The refunds as line lists: a cancellation returns every line of the order. */
export function refundedLines(lines: OrderLine[], refunds: RefundEvent[]): RefundLine[][] {
  return refunds.map((refund) =>
    refund.lines === 'all' ? lines.map((line) => ({ sku: line.sku, quantity: line.quantity })) : refund.lines,
  );
}

/** The lines an order keeps after its refunds: what its commission is computed on. */
export function keptLinesAfter(lines: readonly OrderLine[], refunds: readonly RefundEvent[]): OrderLine[] {
  return remainingLines(lines, refundedLines([...lines], [...refunds])).lines;
}

export function planLedger(input: LedgerInput): LedgerPlan {
  const kept = commissionAfterRefunds(input.lines, refundedLines(input.lines, input.refunds), input.rates);
  // One rounding of the sum of the exact shares, split by largest remainder; with equal rates this
  // is the order's commission split by weight (domain/deal-commission.ts).
  const split = input.shares.length
    ? splitRatedCommission(
        kept.lines,
        input.shares.map((s) => ({ ...s, rates: s.rates ?? input.rates })),
      )
    : { commissionMinor: kept.commissionMinor, parts: [] };
  const parts = split.parts;
  const owed = input.shares.map((share, i) => ({
    influencerId: share.influencerId,
    amountMinor: parts[i] ?? 0,
  }));

  const creditChanges: LedgerPlan['creditChanges'] = [];
  const newAdjustments: LedgerPlan['newAdjustments'] = [];
  // By time (not by string), then by event id.
  const latestRefund = [...input.refunds].sort(
    (a, b) => compareInstants(a.occurredAt, b.occurredAt) || a.eventId.localeCompare(b.eventId),
  )[input.refunds.length - 1];
  const trigger = input.trigger ?? latestRefund;

  for (const { influencerId, amountMinor } of owed) {
    const credit = input.credits.find((c) => c.influencerId === influencerId);
    if (!credit) {
      creditChanges.push({ influencerId, amountMinor, isNew: true });
    } else if (credit.status === 'unpaid') {
      if (credit.amountMinor !== amountMinor) creditChanges.push({ influencerId, amountMinor, isNew: false });
    } else {
      const adjusted = input.adjustments
        .filter((a) => a.influencerId === influencerId)
        .reduce((sum, a) => sum + a.amountMinor, 0);
      const difference = amountMinor - (credit.amountMinor + adjusted);
      if (difference !== 0) {
        if (!trigger) throw new Error('A paid credit differs from what is owed, but no refund explains it.');
        newAdjustments.push({
          influencerId,
          amountMinor: difference,
          eventId: trigger.eventId,
          occurredAt: trigger.occurredAt,
        });
      }
    }
  }
  return {
    amountMinor: kept.amountMinor,
    commissionMinor: split.commissionMinor,
    keptLines: kept.lines,
    owed,
    creditChanges,
    newAdjustments,
  };
}
