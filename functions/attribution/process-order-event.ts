/**
 * Applies one accepted order event to its order, exactly once in effect however often it is
 * delivered: read the order's partition, compute what it must become, write that in one transaction
 * conditioned on the order's version. A concurrent change makes the transaction fail; the event is
 * then applied again on fresh data. Redelivery of an event already applied changes nothing.
 */
import {
  type AttributionDecision,
  candidateClicks,
  DAY_MS,
  decideAttribution,
  hasNewestCandidates,
  type OrderClickLookup,
  type VisitorClick,
} from '../common/domain/attribution';
import { type CommissionRates, orderAmountMinor } from '../common/domain/commission';
import { DUPLICATE_WINDOW_MS, markDuplicates } from '../common/domain/duplicates';
import { isValidUlid, ulidLowerBound, ulidUpperBound } from '../common/domain/ids';
import { formatInstant } from '../common/domain/instant';
import { planLedger } from '../common/domain/order-ledger';
import { addItemMetric, addMetric } from '../common/metrics';
import { BusinessMetric } from '../common/observability';
import type { Click, ClickRepo } from '../common/repos/clicks';
import type { InfluencerRepo } from '../common/repos/influencers';
import type { Merchant } from '../common/repos/merchants';
import {
  type OrderPartition,
  type OrderRepo,
  type OrderRoot,
  type StoredCandidate,
  type StoredRefund,
  type TransactItem,
  transact,
} from '../common/repos/orders';
import { processedUpdate } from '../common/repos/webhook-inbox';
import type { OrderMessage } from '../common/schemas/messages';
import type { OrderCreated } from '../common/schemas/webhooks';
import type { InfluencerTerms } from './influencer-terms';

export interface Dependencies {
  orders: OrderRepo;
  clicks: ClickRepo;
  influencers: InfluencerRepo;
  /** What is known of each influencer's own rates, checked by the order's transaction. */
  terms: InfluencerTerms;
  merchant: (merchantId: string) => Promise<Merchant | undefined>;
  inboxTable: string;
  now: () => Date;
  /** Influencers already marked as payees by this instance (a marker is written once). */
  knownPayees: Set<string>;
}

/*
 * Transaction sizes (DynamoDB allows 100 items), with at most MAX_CANDIDATE_CLICKS (50) candidate
 * clicks and MAX_CREDITED_INFLUENCERS (20) credited influencers per order (CONTRACT §6):
 * - crediting: one check of the terms (influencer-terms.ts) of each distinct candidate influencer
 *   (at most 50: the model comparison needs the rates of every one, not only of those credited),
 *   one credit per credited influencer (at most 20), the root and the inbox update: at most 72;
 * - a refund or cancellation: its event + one credit change or one clawback per influencer (a
 *   credit is either unpaid and shrinks, or paid and is clawed back) + the root + the inbox
 *   update: at most 23, and never more than 43 even if both were written for each influencer.
 * Payee markers are written outside the transaction. test/integration/attribution-bounds.test.ts
 * credits an order of a visitor with clicks of 60 influencers and claws back all 20 credits.
 */

/** Attempts before the message is left for redelivery (the queue retries it later). */
const MAX_ATTEMPTS = 5;

/** Clicks per read of a visitor's history (a bit more than the 50 candidates that count). */
const VISITOR_PAGE_SIZE = 100;

export async function processOrderEvent(deps: Dependencies, message: OrderMessage): Promise<void> {
  const { event, merchantId } = message;
  let decided: Promise<Decision> | undefined;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const partition = await deps.orders.load(merchantId, event.orderId);
    const done = processedUpdate(deps.inboxTable, message, deps.now().toISOString()) as TransactItem;
    let changes: TransactItem[];
    if (event.type === 'order.created') {
      if (partition.root?.method !== undefined || partition.root?.unattributedReason !== undefined) {
        changes = []; // Already credited (another delivery, or another webhook-id for the same order).
      } else {
        // The decision reads clicks; it does not change between attempts, so it is made once.
        decided ??= decide(deps, merchantId, event);
        const decision = await decided;
        await markPayees(deps, decision.attribution);
        changes = creditNewOrder(deps, partition, message, event, decision);
      }
    } else {
      changes = applyRefund(deps, partition, message, event);
    }
    if (await transact([...changes, done])) {
      // Counted by the delivery whose transaction decided the order, so a redelivery counts nothing.
      if (decided && changes.length > 0) countAttribution((await decided).attribution);
      return;
    }
    // Refused: the order changed, or a candidate influencer's terms did. Read those terms again.
    if (decided) await deps.terms.refresh(merchantId, termsInfluencers(await decided));
  }
  throw new Error(
    `Order ${merchantId}/${event.orderId} kept changing under us; leaving the message for a retry.`,
  );
}

/** Payouts find influencers through payee markers: one before an influencer's first credit. */
async function markPayees(deps: Dependencies, attribution: AttributionDecision): Promise<void> {
  if (attribution.kind !== 'credited') return;
  for (const { influencerId } of attribution.shares) {
    if (deps.knownPayees.has(influencerId)) continue;
    await deps.orders.markPayee(influencerId);
    deps.knownPayees.add(influencerId);
  }
}

interface Decision {
  merchant: Merchant;
  attribution: AttributionDecision;
  /**
   * The candidate clicks the decision weighed (none for a coupon or an unattributed order): kept on
   * the order, so the model comparison weighs the very same clicks under every model.
   */
  candidates: StoredCandidate[];
}

/**
 * The influencers whose terms the crediting reads and checks: every distinct candidate influencer
 * (a superset of those credited), or the coupon's owner.
 */
function termsInfluencers({ attribution, candidates }: Decision): string[] {
  if (attribution.kind !== 'credited') return [];
  if (attribution.method === 'coupon') return attribution.shares.map((s) => s.influencerId);
  return [...new Set(candidates.map((c) => c.influencerId))];
}

/** CONTRACT §6: the order's click, its visitor's candidate clicks, the coupon fallback. */
async function decide(deps: Dependencies, merchantId: string, order: OrderCreated): Promise<Decision> {
  const merchant = await deps.merchant(merchantId);
  if (!merchant) throw new Error(`Merchant ${merchantId} of an accepted webhook no longer exists.`);
  const occurredAtMs = Date.parse(order.occurredAt);
  const click =
    order.clickId && isValidUlid(order.clickId) ? await deps.clicks.get(order.clickId) : undefined;

  let visitorClicks: VisitorClick[] = [];
  if (click) {
    // Enough history to decide the duplicate flag of the oldest click in the window.
    const from = occurredAtMs - merchant.attributionWindowDays * DAY_MS - DUPLICATE_WINDOW_MS;
    // Newest first, only as far back as the newest candidates need (CONTRACT §6): a visitor with
    // years of clicks costs a few pages, not all of them.
    const stored: Array<Click & { occurredAtMs: number }> = [];
    const pages = deps.clicks.visitorPagesNewestFirst(
      click.visitorId,
      ulidLowerBound(from),
      ulidUpperBound(occurredAtMs),
      VISITOR_PAGE_SIZE,
    );
    for await (const page of pages) {
      stored.push(...page.map((c) => ({ ...c, occurredAtMs: Date.parse(c.occurredAt) })));
      if (hasNewestCandidates(stored, { merchantId, occurredAtMs }, merchant.attributionWindowDays)) break;
    }
    visitorClicks = markDuplicates(stored);
  }
  const orderClick = visitorClicks.find((c) => c.clickId === click?.clickId);
  const couponOwnerId = order.couponCode ? await deps.influencers.couponOwner(order.couponCode) : undefined;
  const orderClickLookup: OrderClickLookup = !order.clickId
    ? { kind: 'no_click_id' }
    : !click
      ? { kind: 'not_found' }
      : {
          kind: 'found',
          // A click after the order is not in the visitor query's range; it is still the order's click.
          click: orderClick ?? { ...click, occurredAtMs: Date.parse(click.occurredAt), duplicate: false },
        };
  const attribution = decideAttribution({
    order: { merchantId, occurredAtMs },
    orderClick: orderClickLookup,
    visitorClicks,
    merchant,
    couponOwner: couponOwnerId ? { influencerId: couponOwnerId } : undefined,
  });
  // The same call on the same clicks as inside decideAttribution, which weighed exactly these.
  const candidates =
    attribution.kind === 'credited' && attribution.method !== 'coupon' && orderClickLookup.kind === 'found'
      ? candidateClicks(
          [orderClickLookup.click, ...visitorClicks],
          { merchantId, occurredAtMs },
          merchant.attributionWindowDays,
        ).map((c) => ({
          clickId: c.clickId,
          influencerId: c.influencerId,
          occurredAt: formatInstant(c.occurredAtMs),
        }))
      : [];
  return { merchant, attribution, candidates };
}

function creditNewOrder(
  deps: Dependencies,
  partition: OrderPartition,
  message: OrderMessage,
  order: OrderCreated,
  decision: Decision,
): TransactItem[] {
  const { merchant, attribution, candidates } = decision;
  // The terms in force when the order is first credited stay its terms, for its refunds too; the
  // transaction checks that they are still the enrollments' (influencer-terms.ts). Those of the
  // candidates not credited are kept for the model comparison, checked the same way.
  const checks: TransactItem[] = [];
  const ownRates = new Map<string, CommissionRates>();
  for (const influencerId of termsInfluencers(decision)) {
    const { rates, check } = deps.terms.ratesOf(message.merchantId, influencerId);
    checks.push(check);
    if (rates) ownRates.set(influencerId, rates);
  }
  const shares = (attribution.kind === 'credited' ? attribution.shares : []).map((share) => {
    const rates = ownRates.get(share.influencerId);
    return rates ? { ...share, rates } : share;
  });
  const plan = planLedger({
    lines: order.lines,
    rates: merchant.commission,
    shares: [...shares],
    refunds: partition.refunds,
    credits: [],
    adjustments: [],
  });
  // An index key that payouts compare as a string (`eligibleAt <= :cutoff`): one fixed-shape formatter.
  const eligibleAt = formatInstant(Date.parse(order.occurredAt) + merchant.holdDays * DAY_MS);
  const root: OrderRoot = {
    merchantId: message.merchantId,
    orderId: order.orderId,
    status: attribution.kind,
    currency: order.currency,
    occurredAt: order.occurredAt,
    lines: order.lines,
    rates: merchant.commission,
    holdDays: merchant.holdDays,
    ...(order.clickId ? { clickId: order.clickId } : {}),
    ...(order.couponCode ? { couponCode: order.couponCode } : {}),
    ...(attribution.kind === 'credited'
      ? {
          method: attribution.method,
          shares,
          candidates,
          candidateRates: [...ownRates].map(([influencerId, rates]) => ({ influencerId, rates })),
          keptLines: plan.keptLines,
        }
      : { unattributedReason: attribution.reason }),
    originalAmountMinor: orderAmountMinor(order.lines),
    amountMinor: plan.amountMinor,
    commissionMinor: attribution.kind === 'credited' ? plan.commissionMinor : 0,
  };
  return [
    ...checks,
    deps.orders.rootPut(root, partition.root?.version, deps.now()),
    ...shares.map((share, i) =>
      deps.orders.creditPut({
        merchantId: message.merchantId,
        orderId: order.orderId,
        influencerId: share.influencerId,
        currency: order.currency,
        amountMinor: plan.owed[i]?.amountMinor ?? 0,
        weightBps: share.weightBps,
        ...(share.clickId ? { clickId: share.clickId } : {}),
        method: attribution.kind === 'credited' ? attribution.method : 'coupon',
        ...(share.clickAgeMs !== undefined ? { clickAgeMs: share.clickAgeMs } : {}),
        clickIds: [...share.clickIds],
        occurredAt: order.occurredAt,
        eligibleAt,
        status: 'unpaid',
        version: 1,
      }),
    ),
  ];
}

function applyRefund(
  deps: Dependencies,
  partition: OrderPartition,
  message: OrderMessage,
  event: Exclude<OrderMessage['event'], OrderCreated>,
): TransactItem[] {
  const refund: StoredRefund = {
    eventId: message.webhookId,
    type: event.type,
    occurredAt: event.occurredAt,
    lines: event.type === 'order.cancelled' ? 'all' : event.lines,
  };
  const known = partition.refunds.some((r) => r.eventId === refund.eventId);
  const refunds = known ? partition.refunds : [...partition.refunds, refund];
  const root = partition.root;
  const writes: TransactItem[] = known
    ? []
    : [deps.orders.refundPut(message.merchantId, event.orderId, refund)];

  // The order is not credited yet (or never arrived): keeping the refund is all; it is applied
  // when the order is. The root's version still moves, so a concurrent crediting reads it again.
  if (!root?.lines || !root.rates) {
    if (known) return [];
    return [...writes, deps.orders.rootTouch(message.merchantId, event.orderId, root?.version)];
  }

  const plan = planLedger({
    lines: root.lines,
    rates: root.rates,
    shares: root.shares ?? [],
    refunds,
    credits: partition.credits,
    adjustments: partition.adjustments,
    trigger: { eventId: refund.eventId, occurredAt: refund.occurredAt },
  });
  const now = deps.now().toISOString();
  const changed =
    plan.amountMinor !== root.amountMinor ||
    plan.creditChanges.length > 0 ||
    plan.newAdjustments.length > 0 ||
    (root.status === 'credited' && plan.commissionMinor !== root.commissionMinor);
  if (!changed && known) return [];

  for (const change of plan.creditChanges) {
    const credit = partition.credits.find((c) => c.influencerId === change.influencerId);
    if (!credit) throw new Error(`Order ${root.orderId} has a share without a credit.`);
    writes.push(deps.orders.creditAmountUpdate(credit, change.amountMinor, now));
  }
  for (const adjustment of plan.newAdjustments) {
    writes.push(
      deps.orders.adjustmentPut({
        merchantId: root.merchantId,
        orderId: root.orderId,
        influencerId: adjustment.influencerId,
        currency: root.currency ?? '',
        eventId: adjustment.eventId,
        amountMinor: adjustment.amountMinor,
        occurredAt: adjustment.occurredAt,
        orderOccurredAt: root.occurredAt ?? adjustment.occurredAt,
        // The refund's time, already canonical (request times go through formatInstant).
        eligibleAt: formatInstant(Date.parse(adjustment.occurredAt)),
        status: 'unpaid',
      }),
    );
  }
  writes.push(
    deps.orders.rootPut(
      {
        ...root,
        amountMinor: plan.amountMinor,
        commissionMinor: root.status === 'credited' ? plan.commissionMinor : 0,
        // What the model comparison reads instead of the refund events.
        ...(root.status === 'credited' ? { keptLines: plan.keptLines } : {}),
      },
      root.version,
      deps.now(),
    ),
  );
  return writes;
}

function countAttribution(attribution: AttributionDecision): void {
  if (attribution.kind === 'credited') addMetric(BusinessMetric.OrdersCredited);
  else addItemMetric(BusinessMetric.OrdersUnattributed, { dimensions: { reason: attribution.reason } });
}
