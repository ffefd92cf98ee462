/**
 * Which endpoints an event goes to (CONTRACT §12): an endpoint receives the event types it names,
 * and, when scoped, only events of its merchant, of its influencer, or (both set) of that pair. A
 * payout belongs to its influencer and to no merchant, so a merchant's endpoint never receives one;
 * an order event belongs to its merchant and to every influencer it credits.
 */
export interface EndpointSubscription<T extends string = string> {
  events: readonly T[];
  merchantId?: string;
  influencerId?: string;
}

export interface EventParties<T extends string = string> {
  type: T;
  /** The order's merchant; absent for a payout. */
  merchantId?: string;
  /** The influencers the event concerns: an order's credited ones, a payout's payee. */
  influencerIds: readonly string[];
}

export function endpointReceives<T extends string>(
  endpoint: EndpointSubscription<T>,
  event: EventParties<T>,
): boolean {
  if (!endpoint.events.includes(event.type)) return false;
  if (endpoint.merchantId !== undefined && endpoint.merchantId !== event.merchantId) return false;
  if (endpoint.influencerId !== undefined && !event.influencerIds.includes(endpoint.influencerId))
    return false;
  return true;
}
