/** Event endpoints (CONTRACT §12): what the operator or a merchant sends, and is shown. */
import { MAX_ENDPOINT_URL_LENGTH } from '../domain/endpoint-url';
import { EVENT_ID_PATTERN, EVENT_TYPES, type EventType } from '../domain/events';
import { idSchema, isoTimeSchema } from './common';
import * as z from './zod';

/** The events an endpoint may subscribe to: every event there is (domain/events.ts). */
export const ENDPOINT_EVENT_TYPES = EVENT_TYPES;
export type EndpointEventType = EventType;

const eventsSchema = z.array(z.enum(ENDPOINT_EVENT_TYPES)).check(
  z.minLength(1),
  z.refine((events) => new Set(events).size === events.length, 'Must not name an event twice.'),
);

export const createEndpointSchema = z
  .strictObject({
    /** Checked by the action against the address rules, so that a bad one is `invalid_endpoint`. */
    url: z.string().check(z.minLength(1), z.maxLength(MAX_ENDPOINT_URL_LENGTH)),
    events: eventsSchema,
    /** Only this merchant's events; on a merchant's own route it is always the key's merchant. */
    merchantId: z.optional(idSchema),
    /** Only this influencer's events; with `merchantId` too, only the events of both. */
    influencerId: z.optional(idSchema),
    description: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(200))),
  })
  .register(z.globalRegistry, { id: 'CreateEndpoint' });
export type CreateEndpointInput = z.output<typeof createEndpointSchema>;

export const endpointSchema = z
  .object({
    endpointId: idSchema,
    url: z.string(),
    events: z.array(z.enum(ENDPOINT_EVENT_TYPES)),
    merchantId: z.optional(idSchema),
    influencerId: z.optional(idSchema),
    description: z.optional(z.string()),
    createdAt: isoTimeSchema,
  })
  .register(z.globalRegistry, { id: 'Endpoint' });

export const endpointCreatedSchema = z
  .extend(endpointSchema, {
    /** The signing secret (Standard Webhooks `whsec_…`), shown only in this answer. */
    secret: z.string().check(z.regex(/^whsec_[A-Za-z0-9+/]{32}$/)),
  })
  .register(z.globalRegistry, { id: 'EndpointCreated' });

export const endpointListSchema = z
  .object({ items: z.array(endpointSchema) })
  .register(z.globalRegistry, { id: 'EndpointList' });

export const endpointPathSchema = z.object({ endpointId: idSchema });

/** One delivery of an event to an endpoint, as its log shows it (never the body or the secret). */
export const deliverySchema = z
  .object({
    eventId: z.string().check(z.regex(EVENT_ID_PATTERN)),
    type: z.enum(EVENT_TYPES),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.int().check(z.minimum(0)),
    lastStatusCode: z.optional(z.int()),
    lastAttemptAt: z.optional(isoTimeSchema),
    /** While pending: when the next attempt is due. */
    nextAttemptAt: z.optional(isoTimeSchema),
  })
  .register(z.globalRegistry, { id: 'Delivery' });

export const deliveryListSchema = z
  .object({
    items: z.array(deliverySchema),
    /** Where the next (older) page starts: pass it as `cursor`. */
    nextCursor: z.optional(z.string()),
  })
  .register(z.globalRegistry, { id: 'DeliveryList' });

export const deliveriesQuerySchema = z.object({
  /** The `nextCursor` of the page before. */
  cursor: z.optional(z.string().check(z.regex(EVENT_ID_PATTERN, 'Must be a nextCursor of this list.'))),
});

export const deliveryPathSchema = z.object({
  endpointId: idSchema,
  eventId: z.string().check(z.regex(EVENT_ID_PATTERN, 'Must be an event id (evt_…).')),
});
