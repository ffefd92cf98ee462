import type { RouteSpecs } from '../common/http/route-spec';
import { orderEventSchema, webhookAcceptedSchema, webhookPathSchema } from '../common/schemas/webhooks';

export const ingestRoutes = {
  receiveOrderWebhook: {
    method: 'POST',
    path: '/webhooks/{merchantId}/orders',
    // Public to the adapter: the action verifies the merchant's Standard Webhooks signature.
    auth: 'public',
    summary: 'Order webhook (Standard Webhooks signature: webhook-id, webhook-timestamp, webhook-signature)',
    params: webhookPathSchema,
    // A malformed merchant id is answered like any unknown merchant: as a bad signature.
    invalidPath: 'invalid_signature',
    body: orderEventSchema,
    bodyAfterSignature: true,
    // Every refusal (413, 401, 400) is counted, by its error code.
    rejectionMetric: 'WebhooksRejected',
    responses: {
      202: { description: 'Durably queued (or a duplicate webhook-id).', schema: webhookAcceptedSchema },
      400: { description: 'Invalid body; `issues` says where.' },
      401: { description: 'Missing or wrong signature, unknown merchant, or a stale timestamp.' },
      413: { description: 'Body over 64 KiB.' },
    },
  },
} satisfies RouteSpecs;
