/** The order view of CONTRACT §5, for the operator and for the merchant's own key. */
import { json, notFound } from '../http/responses';
import type { OrderPartition, OrderRepo } from '../repos/orders';

/**
 * An order as credited (CONTRACT §5), with the evidence behind each attribution: the method, the
 * deciding click and its age at order time, and every click of that influencer that counted.
 */
export async function getOrder(
  deps: { orders: Pick<OrderRepo, 'load'> },
  merchantId: string,
  orderId: string,
) {
  const partition = await deps.orders.load(merchantId, orderId);
  const view = orderView(partition);
  if (!view) throw notFound('The order');
  return json(200, view);
}

export function orderView({ root, refunds, credits, adjustments }: OrderPartition) {
  // A root without a status holds only refunds that came first: the order was never accepted.
  if (!root?.status || !root.currency || !root.occurredAt) return undefined;
  const byInfluencer = new Map(credits.map((c) => [c.influencerId, c]));
  return {
    merchantId: root.merchantId,
    orderId: root.orderId,
    status: root.status,
    currency: root.currency,
    occurredAt: root.occurredAt,
    amountMinor: root.amountMinor ?? 0,
    originalAmountMinor: root.originalAmountMinor ?? root.amountMinor ?? 0,
    commissionMinor: root.commissionMinor ?? 0,
    ...(root.clickId ? { clickId: root.clickId } : {}),
    ...(root.couponCode ? { couponCode: root.couponCode } : {}),
    attributions: (root.shares ?? []).map((share) => {
      const credit = byInfluencer.get(share.influencerId);
      return {
        influencerId: share.influencerId,
        ...(share.clickId ? { clickId: share.clickId } : {}),
        weightBps: share.weightBps,
        commissionMinor: credit?.amountMinor ?? 0,
        status: credit?.status ?? 'unpaid',
        method: root.method ?? 'last_click',
        ...(share.clickAgeMs !== undefined ? { clickAgeSeconds: Math.floor(share.clickAgeMs / 1000) } : {}),
        clickIds: share.clickIds,
      };
    }),
    ...(root.unattributedReason ? { unattributedReason: root.unattributedReason } : {}),
    refunds: refunds
      .map((r) => ({ type: r.type, occurredAt: r.occurredAt }))
      .sort((a, b) => a.occurredAt.localeCompare(b.occurredAt)),
    adjustments: adjustments.map((a) => ({
      influencerId: a.influencerId,
      amountMinor: a.amountMinor,
      occurredAt: a.occurredAt,
      status: a.status,
    })),
  };
}

export type OrderView = NonNullable<ReturnType<typeof orderView>>;

/**
 * The order view as one influencer may see it (an event endpoint scoped to that influencer alone):
 * its own attributions and adjustments, and its own commission; never another influencer's share,
 * clicks, or the coupon or deciding click that may be someone else's.
 */
export function orderViewForInfluencer(view: OrderView, influencerId: string) {
  const { clickId: _click, couponCode: _coupon, ...order } = view;
  const attributions = view.attributions.filter((a) => a.influencerId === influencerId);
  return {
    ...order,
    commissionMinor: attributions.reduce((sum, a) => sum + a.commissionMinor, 0),
    attributions,
    adjustments: view.adjustments.filter((a) => a.influencerId === influencerId),
  };
}
