/** Event endpoints (CONTRACT §12): what the operator or a merchant sends, and is shown. */
import { z } from 'zod';
import { MAX_ENDPOINT_URL_LENGTH } from '../domain/endpoint-url';
import { idSchema, isoTimeSchema } from './common';

/** The events an endpoint may subscribe to. */
export const ENDPOINT_EVENT_TYPES = [
  'order.credited',
  'order.unattributed',
  'payout.created',
  'payout.settled',
] as const;
export type EndpointEventType = (typeof ENDPOINT_EVENT_TYPES)[number];

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
