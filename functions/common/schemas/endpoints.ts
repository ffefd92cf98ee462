/** Event endpoints (CONTRACT §12): what the operator or a merchant sends, and is shown. */
import { z } from 'zod';
import { MAX_ENDPOINT_URL_LENGTH } from '../domain/endpoint-url';
import { EVENT_ID_PATTERN, EVENT_TYPES, type EventType } from '../domain/events';
import { idSchema, isoTimeSchema } from './common';

/** The events an endpoint may subscribe to: every event there is (domain/events.ts). */
export const ENDPOINT_EVENT_TYPES = EVENT_TYPES;
export type EndpointEventType = EventType;

const eventsSchema = z
  .array(z.enum(ENDPOINT_EVENT_TYPES))
  .min(1)
  .refine((events) => new Set(events).size === events.length, 'Must not name an event twice.');

export const createEndpointSchema = z
  .strictObject({
    /** Checked by the action against the address rules, so that a bad one is `invalid_endpoint`. */
    url: z.string().min(1).max(MAX_ENDPOINT_URL_LENGTH),
    events: eventsSchema,
    /** Only this merchant's events; on a merchant's own route it is always the key's merchant. */
    merchantId: idSchema.optional(),
    /** Only this influencer's events; with `merchantId` too, only the events of both. */
    influencerId: idSchema.optional(),
    description: z.string().trim().min(1).max(200).optional(),
  })
  .meta({ id: 'CreateEndpoint' });
export type CreateEndpointInput = z.output<typeof createEndpointSchema>;

export const endpointSchema = z
  .object({
    endpointId: idSchema,
    url: z.string(),
    events: z.array(z.enum(ENDPOINT_EVENT_TYPES)),
    merchantId: idSchema.optional(),
    influencerId: idSchema.optional(),
    description: z.string().optional(),
    createdAt: isoTimeSchema,
  })
  .meta({ id: 'Endpoint' });

export const endpointCreatedSchema = endpointSchema
  .extend({
    /** The signing secret (Standard Webhooks `whsec_…`), shown only in this answer. */
    secret: z.string().regex(/^whsec_[A-Za-z0-9+/]{32}$/),
  })
  .meta({ id: 'EndpointCreated' });

export const endpointListSchema = z.object({ items: z.array(endpointSchema) }).meta({ id: 'EndpointList' });

export const endpointPathSchema = z.object({ endpointId: idSchema });

/** One delivery of an event to an endpoint, as its log shows it (never the body or the secret). */
export const deliverySchema = z
  .object({
    eventId: z.string().regex(EVENT_ID_PATTERN),
    type: z.enum(EVENT_TYPES),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.int().min(0),
    lastStatusCode: z.int().optional(),
    lastAttemptAt: isoTimeSchema.optional(),
    /** While pending: when the next attempt is due. */
    nextAttemptAt: isoTimeSchema.optional(),
  })
  .meta({ id: 'Delivery' });

export const deliveryListSchema = z
  .object({
    items: z.array(deliverySchema),
    /** Where the next (older) page starts: pass it as `cursor`. */
    nextCursor: z.string().optional(),
  })
  .meta({ id: 'DeliveryList' });

export const deliveriesQuerySchema = z.object({
  /** The `nextCursor` of the page before. */
  cursor: z.string().regex(EVENT_ID_PATTERN, 'Must be a nextCursor of this list.').optional(),
});

export const deliveryPathSchema = z.object({
  endpointId: idSchema,
  eventId: z.string().regex(EVENT_ID_PATTERN, 'Must be an event id (evt_…).'),
});
