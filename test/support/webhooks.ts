/** Signing order webhooks as a merchant's shop does, with the Standard Webhooks library. */
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { httpEvent } from './events';

export interface SignOptions {
  id?: string;
  /** Seconds since the epoch; defaults to now. */
  timestamp?: number;
  /** Replace the signature header altogether. */
  signature?: string;
}

export function signHeaders(secret: string, body: string, options: SignOptions = {}) {
  const id = options.id ?? `msg_${randomUUID()}`;
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = options.signature ?? new Webhook(secret).sign(id, new Date(timestamp * 1000), body);
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature };
}

/** An API Gateway event for the ingest function carrying a signed body. */
export function webhookEvent(merchantId: string, secret: string, body: unknown, options: SignOptions = {}) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  return httpEvent({
    method: 'POST',
    route: '/webhooks/{merchantId}/orders',
    path: `/webhooks/${merchantId}/orders`,
    pathParameters: { merchantId },
    headers: { 'content-type': 'application/json', ...signHeaders(secret, raw, options) },
    body: raw,
  });
}
