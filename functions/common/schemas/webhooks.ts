import { currencySchema, idSchema, minorSchema, requestTimeSchema } from './common';
import * as z from './zod';

/** CONTRACT §4: a string of 1 to 128 characters. */
const text128 = z.string().check(z.minLength(1), z.maxLength(128));

/** Times are ISO 8601 UTC in the years 2000 to 2999; stored in one canonical form (milliseconds, `Z`). */
const utcTime = requestTimeSchema;

const quantity = z.int().check(z.minimum(1), z.maximum(Number.MAX_SAFE_INTEGER));

export const orderLineSchema = z.object({
  sku: text128,
  category: z.optional(text128),
  quantity,
  unitPriceMinor: minorSchema,
});

export const orderCreatedSchema = z
  .object({
    type: z.literal('order.created'),
    orderId: text128,
    occurredAt: utcTime,
    currency: currencySchema,
    clickId: z.optional(text128),
    couponCode: z.optional(text128),
    lines: z.array(orderLineSchema).check(z.minLength(1), z.maxLength(500)),
  })
  .check(
    z.superRefine((order, ctx) => {
      // Every total computed from the request must stay within JSON's safe integer range (CONTRACT §1).
      let total = 0n;
      for (const line of order.lines) total += BigInt(line.quantity) * BigInt(line.unitPriceMinor);
      if (total > BigInt(Number.MAX_SAFE_INTEGER)) {
        ctx.addIssue({
          code: 'custom',
          path: ['lines'],
          message: 'The order total is beyond 2^53 − 1 minor units.',
        });
      }
    }),
  )
  .register(z.globalRegistry, { id: 'OrderCreated' });

export const orderRefundedSchema = z
  .object({
    type: z.literal('order.refunded'),
    orderId: text128,
    occurredAt: utcTime,
    lines: z.array(z.object({ sku: text128, quantity })).check(z.minLength(1), z.maxLength(500)),
  })
  .register(z.globalRegistry, { id: 'OrderRefunded' });

export const orderCancelledSchema = z
  .object({ type: z.literal('order.cancelled'), orderId: text128, occurredAt: utcTime })
  .register(z.globalRegistry, { id: 'OrderCancelled' });

export const orderEventSchema = z
  .discriminatedUnion('type', [orderCreatedSchema, orderRefundedSchema, orderCancelledSchema])
  .register(z.globalRegistry, { id: 'OrderEvent' });

export type OrderEvent = z.output<typeof orderEventSchema>;
export type OrderCreated = z.output<typeof orderCreatedSchema>;
export type OrderLineInput = z.output<typeof orderLineSchema>;

export const webhookPathSchema = z.object({ merchantId: idSchema });

export const webhookAcceptedSchema = z
  .object({ status: z.enum(['accepted', 'duplicate']), webhookId: z.optional(z.string()) })
  .register(z.globalRegistry, { id: 'WebhookAccepted' });
