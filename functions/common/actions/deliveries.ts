/**
 * An endpoint's delivery log and its manual retry (CONTRACT §12), for the operator and for the
 * merchant whose endpoint it is (another merchant's is 404, as if it did not exist).
 */

import { json, notFound } from '../http/responses';
import { enqueueDelivery } from '../queue/deliveries-queue';
import type { Delivery, DeliveryRepo } from '../repos/deliveries';
import type { EndpointRepo } from '../repos/endpoints';
import { type EndpointScope, visibleTo } from './endpoints';

/** Deliveries per page of the log. */
export const DELIVERY_PAGE_SIZE = 100;

export interface DeliveryDeps {
  endpoints: Pick<EndpointRepo, 'get'>;
  deliveries: Pick<DeliveryRepo, 'page' | 'reopen'>;
  deliveriesQueueUrl: string;
  now: () => Date;
}

export const deliveryView = (d: Delivery) => ({
  eventId: d.eventId,
  type: d.type,
  status: d.status,
  attempts: d.attempts,
  ...(d.lastStatusCode !== undefined ? { lastStatusCode: d.lastStatusCode } : {}),
  ...(d.lastAttemptAt ? { lastAttemptAt: d.lastAttemptAt } : {}),
  ...(d.status === 'pending' && d.dueAt ? { nextAttemptAt: d.dueAt } : {}),
});

async function ownEndpoint(deps: DeliveryDeps, scope: EndpointScope, endpointId: string) {
  const endpoint = await deps.endpoints.get(endpointId);
  if (!endpoint || !visibleTo(scope, endpoint)) throw notFound('The endpoint');
  return endpoint;
}

/** The log, newest first, a page of 100 at a time. */
export async function listDeliveries(
  deps: DeliveryDeps,
  scope: EndpointScope,
  endpointId: string,
  cursor: string | undefined,
) {
  await ownEndpoint(deps, scope, endpointId);
  const page = await deps.deliveries.page(endpointId, DELIVERY_PAGE_SIZE, cursor);
  return json(200, {
    items: page.items.map(deliveryView),
    ...(page.next ? { nextCursor: page.next } : {}),
  });
}

/**
 * Sends a delivery again now, whatever its state: it is pending, due now, and queued. Its attempts
 * go on counting, so a failed one that fails again is failed again (its schedule is spent).
 */
export async function retryDelivery(
  deps: DeliveryDeps,
  scope: EndpointScope,
  endpointId: string,
  eventId: string,
) {
  await ownEndpoint(deps, scope, endpointId);
  const reopened = await deps.deliveries.reopen(endpointId, eventId, deps.now());
  if (!reopened) throw notFound('The delivery');
  await enqueueDelivery(deps.deliveriesQueueUrl, { endpointId, eventId, attempts: reopened.attempts });
  return json(202, deliveryView(reopened));
}
