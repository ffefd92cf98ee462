/**
 * From committed changes to deliveries (CONTRACT §12). The orders and payouts tables' streams
 * bring every committed change of an order root or a payout, in order per item; each change that
 * is an event (domain/events.ts) becomes one delivery per endpoint that receives it
 * (domain/endpoint-scope.ts), written with a condition (the same change read again makes none),
 * and one message on the deliveries queue. A change that did not commit is in no stream, so it is
 * no event; one that did is read again until its deliveries are written, so it is never lost.
 *
 * A record that fails stops the batch there (`batchItemFailures` from it on): the stream is read
 * again from that record, after the ones before it were fully handled.
 */
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { type OrderView, orderView, orderViewForInfluencer } from '../common/actions/orders';
import { periodPayoutView } from '../common/actions/payouts';
import { type EventParties, endpointReceives } from '../common/domain/endpoint-scope';
import {
  type EventType,
  eventBody,
  eventId,
  orderEvent,
  payoutEvents,
  type RootImage,
} from '../common/domain/events';
import type { DeliveryRepo } from '../common/repos/deliveries';
import type { Endpoint, EndpointRepo } from '../common/repos/endpoints';
import type { OrderRepo } from '../common/repos/orders';
import { payoutOfItem } from '../common/repos/payouts';
import type { DeliveryMessage } from '../common/schemas/messages';
import { imageOf, tableOfStreamArn } from '../common/stream-records';

export interface ProduceDeps {
  endpoints: Pick<EndpointRepo, 'listAll'>;
  deliveries: Pick<DeliveryRepo, 'createIfAbsent' | 'get'>;
  orders: Pick<OrderRepo, 'load'>;
  enqueue: (message: DeliveryMessage) => Promise<void>;
  tables: { orders: string; payouts: string };
  now: () => Date;
  onFailure: (record: DynamoDBRecord, err: unknown) => void;
}

export interface ProducedEvent extends EventParties<EventType> {
  eventId: string;
  body: string;
  /** An order event's view and time, to narrow the body for an endpoint of one influencer. */
  order?: { view: OrderView; at: Date };
}

/**
 * The body an endpoint receives: the event's, except that an endpoint scoped to an influencer alone
 * sees an order only as that influencer may (its own share, not the others' on the same order).
 */
export function bodyFor(
  endpoint: Pick<Endpoint, 'merchantId' | 'influencerId'>,
  event: ProducedEvent,
): string {
  if (!event.order || !endpoint.influencerId || endpoint.merchantId) return event.body;
  return eventBody(
    event.type,
    event.order.at,
    orderViewForInfluencer(event.order.view, endpoint.influencerId),
  );
}

/**
 * The time of a change: when the stream saw it (whole seconds in AWS; DynamoDB Local rounds it
 * further), else now.
 */
function changedAtMs(record: DynamoDBRecord, now: Date): number {
  const seconds = record.dynamodb?.ApproximateCreationDateTime;
  return typeof seconds === 'number' && Number.isFinite(seconds) ? Math.round(seconds * 1000) : now.getTime();
}

/** The events of one stream record, with their bodies (an order's view is read when it is one). */
export async function eventsOfRecord(deps: ProduceDeps, record: DynamoDBRecord): Promise<ProducedEvent[]> {
  if (record.eventName === 'REMOVE') return [];
  const table = tableOfStreamArn(record.eventSourceARN);
  const before = imageOf(record.dynamodb?.OldImage);
  const after = imageOf(record.dynamodb?.NewImage);
  if (!after) return [];
  const atMs = changedAtMs(record, deps.now());

  if (table === deps.tables.orders) {
    if (after.sk !== 'ROOT') return [];
    const decided = orderEvent(before as RootImage | undefined, after as unknown as RootImage);
    if (!decided) return [];
    const root = after as unknown as RootImage;
    // The root's own write time where it has one (to the millisecond, unlike the stream's).
    const changedAt = typeof after.changedAt === 'string' ? Date.parse(after.changedAt) : Number.NaN;
    const eventMs = Number.isFinite(changedAt) ? changedAt : atMs;
    // The view of §5 as committed now: read consistently, so it holds at least this change.
    const view = orderView(await deps.orders.load(root.merchantId, root.orderId));
    if (!view) return [];
    return [
      {
        type: decided.type,
        eventId: eventId(decided.identity, eventMs),
        body: eventBody(decided.type, new Date(eventMs), view),
        order: { view, at: new Date(eventMs) },
        merchantId: view.merchantId,
        influencerIds: view.attributions.map((a) => a.influencerId),
      },
    ];
  }

  if (table === deps.tables.payouts) {
    const payout = payoutOfItem(deps.tables.payouts, after);
    if (!payout) return [];
    const previous = before ? payoutOfItem(deps.tables.payouts, before) : undefined;
    return payoutEvents(previous, payout).map((decided) => {
      // A payout's creation has its own time, to the millisecond; a settlement has the stream's.
      const created =
        decided.type === 'payout.created' && payout.createdAt ? Date.parse(payout.createdAt) : Number.NaN;
      const eventMs = Number.isFinite(created) ? created : atMs;
      return {
        type: decided.type,
        eventId: eventId(decided.identity, eventMs),
        body: eventBody(decided.type, new Date(eventMs), periodPayoutView(payout)),
        influencerIds: [payout.influencerId],
      };
    });
  }
  return [];
}

/** Writes each event's deliveries and queues them; the first record that fails, and all after it, is retried. */
export async function produceBatch(
  deps: ProduceDeps,
  records: DynamoDBRecord[],
): Promise<DynamoDBBatchResponse> {
  let endpoints: Endpoint[] | undefined;
  for (const [index, record] of records.entries()) {
    try {
      const events = await eventsOfRecord(deps, record);
      if (events.length === 0) continue;
      // Read once per batch, when a batch has an event at all: endpoints are few, and one made
      // during a batch receives the events committed after it was made.
      endpoints ??= await deps.endpoints.listAll();
      for (const event of events)
        for (const endpoint of endpoints.filter((e) => endpointReceives(e, event)))
          await deliver(deps, endpoint, event);
    } catch (err) {
      deps.onFailure(record, err);
      // The stream is read again from this record.
      return {
        batchItemFailures: records
          .slice(index)
          .map((r) => ({ itemIdentifier: r.dynamodb?.SequenceNumber ?? '' })),
      };
    }
  }
  return { batchItemFailures: [] };
}

async function deliver(deps: ProduceDeps, endpoint: Endpoint, event: ProducedEvent): Promise<void> {
  const { endpointId } = endpoint;
  const made = await deps.deliveries.createIfAbsent(
    { endpointId, eventId: event.eventId, type: event.type, body: bodyFor(endpoint, event) },
    deps.now(),
  );
  if (made) return deps.enqueue({ endpointId, eventId: event.eventId, attempts: 0 });
  // Made by an earlier reading of this record, whose message may not have been sent: queue it
  // again while its first attempt is still to come (the worker drops what is already recorded).
  const existing = await deps.deliveries.get(endpointId, event.eventId);
  if (existing?.status === 'pending' && existing.attempts === 0)
    await deps.enqueue({ endpointId, eventId: event.eventId, attempts: 0 });
}
