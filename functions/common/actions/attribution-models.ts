/**
 * The attribution model comparison (CONTRACT §10): the merchant's credited orders of the day range,
 * read from the sparse `creditedByMerchant` index (one item per order, oldest first, paged), each
 * credited again under the five models by domain/model-comparison.ts. Items read: one per credited
 * order in the range, never its clicks, credits or refund events.
 *
 * Orders credited before their roots kept the candidate clicks are not in the index, so they are
 * not in the comparison (the merchant report still counts them).
 */

import { modelComparison } from '../domain/model-comparison';
import { parseDayRange } from '../domain/report-range';
import { apiError, type HttpResult, json, notFound } from '../http/responses';
import type { MerchantRepo } from '../repos/merchants';
import type { OrderRepo } from '../repos/orders';
import type { modelComparisonQuerySchema } from '../schemas/model-comparison';
import type * as z from '../schemas/zod';
import { comparableOrder } from './comparable-order';

export interface ModelComparisonDeps {
  merchants: Pick<MerchantRepo, 'get'>;
  orders: Pick<OrderRepo, 'creditedOrderPages'>;
  now: () => Date;
}

/** Items per page of the index query: DynamoDB caps a page at 1 MB anyway. */
const PAGE_SIZE = 1_000;

export async function attributionModelComparison(
  deps: ModelComparisonDeps,
  merchantId: string,
  query: z.output<typeof modelComparisonQuerySchema>,
): Promise<HttpResult> {
  const parsed = parseDayRange(query, deps.now());
  if (!parsed.ok) throw apiError('invalid_query', 'The day range is not valid.', parsed.issues);
  const merchant = await deps.merchants.get(merchantId);
  if (!merchant) throw notFound('The merchant');
  const { from, to } = parsed.range;
  const comparison = modelComparison();
  for await (const page of deps.orders.creditedOrderPages(merchantId, from, to, PAGE_SIZE)) {
    for (const root of page) {
      const order = comparableOrder(root);
      if (order) comparison.add(order);
    }
  }
  return json(200, {
    merchantId,
    from,
    to,
    attributionModel: merchant.attributionModel,
    models: comparison.result(),
  });
}
