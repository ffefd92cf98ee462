/**
 * Attribution (CONTRACT §6): which clicks earned an order, with which weight, and why an order is
 * left unattributed. Pure: the caller looks the clicks up and stores the decision.
 *
 * Weights are integer basis points that always sum to exactly 10 000 per order; the integer
 * rounding is the largest-remainder split (`splitByWeight`), so it is exact and deterministic.
 * Clicks are always ordered by time, then clickId (ULIDs sort by time, and break ties within a
 * millisecond), whatever order the caller passes them in.
 */
import { ATTRIBUTION_MODELS, type AttributionModel } from './attribution-models';
import { BPS_PER_WHOLE } from './commission';
import {
  compareClicksChronologically,
  DUPLICATE_WINDOW_MS,
  type DuplicateCandidateClick,
  markDuplicates,
} from './duplicates';
import { splitByWeight } from './split';

export { ATTRIBUTION_MODELS, type AttributionModel };

export const UNATTRIBUTED_REASONS = [
  'no_click',
  'unknown_click',
  'expired',
  'bot',
  'other_merchant',
] as const;
export type UnattributedReason = (typeof UNATTRIBUTED_REASONS)[number];

export const DAY_MS = 86_400_000;

/**
 * CONTRACT §6: at most the 50 newest candidate clicks count, and at most 20 influencers are credited
 * for one order. The visitor id is chosen by the client, so without these bounds one visitor could
 * make an order whose credit (one item per influencer, and on a refund one change and one clawback
 * per influencer) no longer fits in one transaction, or whose click ids no longer fit in one item.
 */
export const MAX_CANDIDATE_CLICKS = 50;
export const MAX_CREDITED_INFLUENCERS = 20;

/** time_decay: a click's weight halves for every 7 days of its age at order time. */
export const TIME_DECAY_HALF_LIFE_MS = 7 * DAY_MS;

/**
 * time_decay's real weights (in (0, 1]) are scaled by this and rounded to integers before the
 * integer split. 2^40 resolves a weight to about 1e-12 of a whole, far finer than 1 bps, while every
 * scaled weight stays an exact safe integer; and scaling by a power of two adds no rounding.
 */
const TIME_DECAY_INTEGER_SCALE = 2 ** 40;

/** position_based: first and last click 40 % each, the middle clicks share 20 %. */
const POSITION_BASED_END_BPS = 4_000;
const POSITION_BASED_MIDDLE_BPS = 2_000;

/** What attribution needs of a click. */
export interface AttributableClick {
  readonly clickId: string;
  readonly influencerId: string;
  /** Click time, epoch milliseconds. */
  readonly occurredAtMs: number;
}

/** A stored click of the order's visitor, before the §6 filter. */
export interface VisitorClick extends AttributableClick {
  readonly merchantId: string;
  readonly bot: boolean;
  /**
   * As decided by `markDuplicates` (duplicates.ts). When the flag is not stored, run it over the
   * visitor's clicks from 30 s before the window's start, so the oldest ones are decided too.
   */
  readonly duplicate: boolean;
}

export interface OrderForAttribution {
  readonly merchantId: string;
  /** Order time, epoch milliseconds. */
  readonly occurredAtMs: number;
}

export interface WeightedClick<C extends AttributableClick = AttributableClick> {
  readonly click: C;
  readonly weightBps: number;
}

export interface AttributionShare {
  readonly influencerId: string;
  readonly weightBps: number;
  /** The representative click: the influencer's latest click that earned weight. Absent for a coupon. */
  readonly clickId?: string;
  /** Order time minus the representative click's time: evidence anyone can check. Absent for a coupon. */
  readonly clickAgeMs?: number;
  /** Every candidate click of this influencer, oldest first (empty for a coupon). */
  readonly clickIds: readonly string[];
}

export type AttributionDecision =
  | {
      readonly kind: 'credited';
      readonly method: AttributionModel | 'coupon';
      /** Weights sum to exactly 10 000; in the order of their representative clicks, oldest first. */
      readonly shares: readonly AttributionShare[];
    }
  | { readonly kind: 'unattributed'; readonly reason: UnattributedReason };

/** The result of looking up the order's `clickId`. */
export type OrderClickLookup<C extends VisitorClick = VisitorClick> =
  | { readonly kind: 'no_click_id' }
  | { readonly kind: 'not_found' }
  | { readonly kind: 'found'; readonly click: C };

export interface AttributionSettings {
  readonly attributionModel: AttributionModel;
  readonly attributionWindowDays: number;
}

export interface DecideAttributionInput<C extends VisitorClick = VisitorClick> {
  readonly order: OrderForAttribution;
  readonly orderClick: OrderClickLookup<C>;
  /** Every stored click of the order click's visitor (the order's own click may be in it or not). */
  readonly visitorClicks: readonly C[];
  readonly merchant: AttributionSettings;
  /** The influencer who owns the order's coupon code, when it has one and it is known. */
  readonly couponOwner?: { readonly influencerId: string } | undefined;
}

export function isAttributionModel(value: string): value is AttributionModel {
  return (ATTRIBUTION_MODELS as readonly string[]).includes(value);
}

/**
 * Oldest first, and one entry per clickId (the oldest; for equal times, the first given), so the
 * order in which a query returns the clicks never matters.
 */
function chronologicalUnique<C extends AttributableClick>(clicks: readonly C[]): C[] {
  const sorted = [...clicks].sort(compareClicksChronologically);
  const seen = new Set<string>();
  return sorted.filter((click) => {
    if (seen.has(click.clickId)) return false;
    seen.add(click.clickId);
    return true;
  });
}

/**
 * The candidate clicks of CONTRACT §6, oldest first: the visitor's clicks on links of the order's
 * merchant that are neither bot nor duplicate, at or before the order's time and at most
 * `windowDays` days before it (both ends inclusive), and of those the newest
 * `MAX_CANDIDATE_CLICKS`. A click after the order, even by a millisecond, is not a candidate: it
 * cannot have led to the order.
 */
export function candidateClicks<C extends VisitorClick>(
  clicksOfVisitor: readonly C[],
  order: OrderForAttribution,
  windowDays: number,
): C[] {
  if (!Number.isSafeInteger(windowDays) || windowDays < 0) {
    throw new RangeError(`attribution window must be a non-negative whole number of days, got ${windowDays}`);
  }
  const windowStartMs = order.occurredAtMs - windowDays * DAY_MS;
  return chronologicalUnique(clicksOfVisitor)
    .filter(
      (click) =>
        click.merchantId === order.merchantId &&
        !click.bot &&
        !click.duplicate &&
        click.occurredAtMs <= order.occurredAtMs &&
        click.occurredAtMs >= windowStartMs,
    )
    .slice(-MAX_CANDIDATE_CLICKS);
}

/**
 * For reading a visitor's clicks newest first, page by page: whether the clicks read so far already
 * settle the order's `MAX_CANDIDATE_CLICKS` newest candidates, so no older page can change them.
 * Bots, duplicates and other merchants' clicks are only known after reading, hence the paging. A
 * click's duplicate flag depends on the visitor's clicks of the 30 s before it (duplicates.ts), so
 * only clicks more than 30 s newer than the oldest one read are settled; the caller stops when this
 * is true or the window ends, and passes everything it read to `decideAttribution`.
 */
export function hasNewestCandidates<C extends DuplicateCandidateClick & Omit<VisitorClick, 'duplicate'>>(
  clicksRead: readonly C[],
  order: OrderForAttribution,
  windowDays: number,
): boolean {
  if (clicksRead.length < MAX_CANDIDATE_CLICKS) return false;
  const oldestReadMs = Math.min(...clicksRead.map((click) => click.occurredAtMs));
  const settled = markDuplicates(clicksRead).filter(
    (click) => click.occurredAtMs - DUPLICATE_WINDOW_MS > oldestReadMs,
  );
  return candidateClicks(settled, order, windowDays).length >= MAX_CANDIDATE_CLICKS;
}

/**
 * time_decay's integer weights: each click's real weight is 2^(−Δ / 7 days), where Δ is how much
 * older it is than the newest click. Measuring from the newest click rather than from the order
 * gives the same proportions (halving is relative) but keeps the newest weight at exactly 1, so
 * the weights never all underflow to 0. Each real weight is scaled by 2^40 and rounded to an
 * integer; from there on everything is integer arithmetic.
 *
 * Determinism: Δ is an integer, the division and the scaling are exact IEEE operations, and the
 * only approximated step is `2 ** x`, which is deterministic on a given JavaScript engine. A click
 * so old that its scaled weight rounds to 0 (about 280 days older than the newest) gets 0 bps,
 * which is what its true share (below 1e-12) would round to anyway.
 */
function timeDecayIntegerWeights(chronological: readonly AttributableClick[]): number[] {
  const newest = chronological[chronological.length - 1];
  if (newest === undefined) return [];
  return chronological.map((click) => {
    const olderThanNewestMs = newest.occurredAtMs - click.occurredAtMs;
    return Math.round(2 ** (-olderThanNewestMs / TIME_DECAY_HALF_LIFE_MS) * TIME_DECAY_INTEGER_SCALE);
  });
}

/**
 * position_based in one integer split: weights 2(n−2) for the first and last click and 1 for each
 * of the n−2 middle clicks give exact shares of 40 %, 40 % and 20 % / (n−2), so the ends get exactly
 * 4 000 bps and the middle clicks share 2 000 with the largest remainder.
 */
function positionBasedWeights(clickCount: number): number[] {
  if (clickCount === 1) return [BPS_PER_WHOLE];
  if (clickCount === 2) return [1, 1];
  const middleCount = clickCount - 2;
  const endWeight = (POSITION_BASED_END_BPS / POSITION_BASED_MIDDLE_BPS) * middleCount;
  return Array.from({ length: clickCount }, (_, index) =>
    index === 0 || index === clickCount - 1 ? endWeight : 1,
  );
}

function modelWeights(model: AttributionModel, chronological: readonly AttributableClick[]): number[] {
  const count = chronological.length;
  switch (model) {
    case 'last_click':
      return chronological.map((_, index) => (index === count - 1 ? 1 : 0));
    case 'first_click':
      return chronological.map((_, index) => (index === 0 ? 1 : 0));
    case 'linear':
      return chronological.map(() => 1);
    case 'time_decay':
      return timeDecayIntegerWeights(chronological);
    case 'position_based':
      return positionBasedWeights(count);
    default: {
      // Models come from stored merchant settings: an unknown one is a bug, not a reason to guess.
      const unknownModel: never = model;
      throw new RangeError(`unknown attribution model ${String(unknownModel)}`);
    }
  }
}

/**
 * Each candidate click's weight under `model`, in basis points summing to exactly 10 000, oldest
 * click first. The 10 000 bps are split over the model's weights with the largest-remainder method,
 * so ties go to the older click (linear over 3 clicks: 3 334, 3 333, 3 333).
 * RangeError when there is no click.
 */
export function clickWeights<C extends AttributableClick>(
  clicks: readonly C[],
  model: AttributionModel,
): WeightedClick<C>[] {
  const chronological = chronologicalUnique(clicks);
  if (chronological.length === 0) {
    throw new RangeError('clickWeights: no click to weigh');
  }
  const weightsBps = splitByWeight(BPS_PER_WHOLE, modelWeights(model, chronological));
  return chronological.map((click, index) => ({ click, weightBps: weightsBps[index] ?? 0 }));
}

/**
 * Adds up the weights of each influencer's clicks (CONTRACT §6). Influencers whose clicks earned
 * nothing (e.g. every click but the last under last_click) are left out: they have no share.
 * Each share names a representative click, the influencer's latest click that earned weight (for
 * first_click that is the first click; otherwise the most recent touch), and keeps every click of
 * the influencer as evidence. Shares are in the order of their representative clicks, oldest first;
 * that order is the tie-break of the commission split.
 *
 * CONTRACT §6: of more than `maxInfluencers` influencers, those with the highest weights are
 * credited (equal weights: the influencer whose first click is earlier), and their weights are
 * rescaled to 10 000 with the largest-remainder method, in the shares' order. Each chosen weight
 * only grows, so no chosen influencer drops to 0.
 */
export function aggregateByInfluencer(
  weightedClicks: readonly WeightedClick[],
  orderOccurredAtMs: number,
  maxInfluencers = MAX_CREDITED_INFLUENCERS,
): AttributionShare[] {
  const chronological = [...weightedClicks].sort((left, right) =>
    compareClicksChronologically(left.click, right.click),
  );
  const byInfluencer = new Map<
    string,
    {
      weightBps: number;
      first: AttributableClick;
      representative: AttributableClick | undefined;
      clickIds: string[];
    }
  >();
  for (const { click, weightBps } of chronological) {
    const entry = byInfluencer.get(click.influencerId) ?? {
      weightBps: 0,
      first: click,
      representative: undefined,
      clickIds: [],
    };
    entry.weightBps += weightBps;
    entry.clickIds.push(click.clickId);
    if (weightBps > 0) entry.representative = click;
    byInfluencer.set(click.influencerId, entry);
  }

  const shares: { share: AttributionShare; first: AttributableClick; representative: AttributableClick }[] =
    [];
  for (const [influencerId, entry] of byInfluencer) {
    if (entry.representative === undefined || entry.weightBps === 0) continue;
    shares.push({
      first: entry.first,
      representative: entry.representative,
      share: {
        influencerId,
        weightBps: entry.weightBps,
        clickId: entry.representative.clickId,
        clickAgeMs: orderOccurredAtMs - entry.representative.occurredAtMs,
        clickIds: entry.clickIds,
      },
    });
  }
  const credited =
    shares.length <= maxInfluencers
      ? shares
      : [...shares]
          .sort(
            (left, right) =>
              right.share.weightBps - left.share.weightBps ||
              compareClicksChronologically(left.first, right.first),
          )
          .slice(0, maxInfluencers);
  credited.sort((left, right) => compareClicksChronologically(left.representative, right.representative));
  if (credited.length === shares.length) return credited.map(({ share }) => share);
  const rescaled = splitByWeight(
    BPS_PER_WHOLE,
    credited.map(({ share }) => share.weightBps),
  );
  return credited.map(({ share }, index) => ({ ...share, weightBps: rescaled[index] ?? 0 }));
}

/** `clickWeights` then `aggregateByInfluencer`: the influencers' shares of an order. */
export function attributeToInfluencers(
  clicks: readonly AttributableClick[],
  model: AttributionModel,
  orderOccurredAtMs: number,
): AttributionShare[] {
  return aggregateByInfluencer(clickWeights(clicks, model), orderOccurredAtMs);
}

/**
 * The attribution of one order (CONTRACT §6). With no usable click, the order's coupon (when an
 * influencer owns it) credits that influencer 100 %; otherwise the order is unattributed, with the
 * first reason that applies:
 * 1. `no_click`: the order names no clickId;
 * 2. `unknown_click`: no click has that id;
 * 3. `other_merchant`: the click is on a link of another merchant;
 * 4. `bot`: the click is a bot's. Then the visitor's other clicks are not used either: a visitor
 *    id seen on a bot click cannot be trusted to be one shopper;
 * 5. `expired`: no candidate click of the visitor in the window. This also covers a click after
 *    the order's time; and a duplicate order click is not a dead end, since the visitor's original
 *    click a few seconds earlier is normally a candidate.
 */
export function decideAttribution<C extends VisitorClick>(
  input: DecideAttributionInput<C>,
): AttributionDecision {
  const { order, orderClick, merchant, couponOwner } = input;
  const noUsableClick = (reason: UnattributedReason): AttributionDecision =>
    couponOwner === undefined
      ? { kind: 'unattributed', reason }
      : {
          kind: 'credited',
          method: 'coupon',
          shares: [{ influencerId: couponOwner.influencerId, weightBps: BPS_PER_WHOLE, clickIds: [] }],
        };

  if (orderClick.kind === 'no_click_id') return noUsableClick('no_click');
  if (orderClick.kind === 'not_found') return noUsableClick('unknown_click');
  if (orderClick.click.merchantId !== order.merchantId) return noUsableClick('other_merchant');
  if (orderClick.click.bot) return noUsableClick('bot');

  // The order's own click belongs to the visitor's clicks whether or not the caller's query
  // returned it (a fresh click may not be visible in an index yet); duplicates by id are dropped.
  const candidates = candidateClicks(
    [orderClick.click, ...input.visitorClicks],
    order,
    merchant.attributionWindowDays,
  );
  if (candidates.length === 0) return noUsableClick('expired');

  return {
    kind: 'credited',
    method: merchant.attributionModel,
    shares: attributeToInfluencers(candidates, merchant.attributionModel, order.occurredAtMs),
  };
}
