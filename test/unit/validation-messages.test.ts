/**
 * The messages of validation issues, as clients read them in `issues`. Schemas are zod/mini, which
 * loads no locale: without the English one every issue would say only "Invalid input". This file
 * imports no other zod, so nothing but functions/common/schemas/zod.ts can have configured it.
 */
import { HttpError } from '../../functions/common/http/errors';
import { parseJsonBuffer } from '../../functions/common/http/request';
import { createMerchantSchema } from '../../functions/common/schemas/catalog';
import { orderEventSchema } from '../../functions/common/schemas/webhooks';

function issuesOf(schema: Parameters<typeof parseJsonBuffer>[1], body: unknown) {
  try {
    parseJsonBuffer(Buffer.from(JSON.stringify(body)), schema);
  } catch (err) {
    if (err instanceof HttpError) return { code: err.code, issues: err.issues };
    throw err;
  }
  throw new Error('The body was accepted');
}

describe('validation messages', () => {
  test("zod's English messages for type, size and key issues", () => {
    expect(
      issuesOf(orderEventSchema, {
        type: 'order.created',
        orderId: 'x'.repeat(129),
        occurredAt: '2026-11-03T14:05:00Z',
        currency: 'USD',
        lines: [{ sku: 'S', quantity: 0, unitPriceMinor: 1.5 }],
      }),
    ).toEqual({
      code: 'invalid_body',
      issues: [
        { path: 'orderId', message: 'Too big: expected string to have <=128 characters' },
        { path: 'lines.0.quantity', message: 'Too small: expected number to be >=1' },
        { path: 'lines.0.unitPriceMinor', message: 'Invalid input: expected int, received number' },
      ],
    });
    expect(issuesOf(createMerchantSchema, { name: 'Shop', extra: true })).toEqual({
      code: 'invalid_body',
      issues: [
        { path: 'allowedDomains', message: 'Invalid input: expected array, received undefined' },
        { path: 'currency', message: 'Invalid input: expected string, received undefined' },
        { path: 'commission', message: 'Invalid input: expected object, received undefined' },
        { path: '', message: 'Unrecognized key: "extra"' },
      ],
    });
  });

  test('our own messages where a schema gives one', () => {
    expect(
      issuesOf(orderEventSchema, {
        type: 'order.cancelled',
        orderId: 'A-1',
        occurredAt: '1999-12-31T23:59:59Z',
      }).issues,
    ).toEqual([{ path: 'occurredAt', message: 'Must be in the years 2000 to 2999.' }]);
  });
});
