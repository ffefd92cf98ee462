/**
 * The statement of an influencer's payable payouts of a period (one row per order and per fee,
 * every currency), for the operator and for the influencer's own key.
 * Built from the `byPayout` index the first time it is asked for, checked against the payouts' item
 * counts (the index is eventually consistent), and kept in the statement store from then on.
 */
import { type StatementItem, statementCsv } from '../domain/statement';
import { apiError, type HttpResult, notFound } from '../http/responses';
import type { OrderRepo } from '../repos/orders';
import type { PayoutRepo } from '../repos/payouts';
import { type StatementStore, statementKey } from '../statements/store';

export interface StatementDeps {
  payouts: Pick<PayoutRepo, 'payouts'>;
  orders: Pick<OrderRepo, 'paidBy'>;
  statements: StatementStore;
}

export async function payoutStatement(
  deps: StatementDeps,
  influencerId: string,
  period: string,
): Promise<HttpResult> {
  const key = statementKey(period, influencerId);
  let csv = await deps.statements.get(key);
  if (!csv) {
    const payable = (await deps.payouts.payouts(period, influencerId)).filter(
      (p) => p.status === 'payable' && p.state === 'done',
    );
    if (payable.length === 0) throw notFound('A payable payout for this influencer and period');
    const items: StatementItem[] = [];
    for (const payout of payable) {
      let count = 0;
      for await (const item of deps.orders.paidBy(payout.payoutId)) {
        items.push({ ...item, occurredAt: item.orderOccurredAt });
        count++;
      }
      if (count !== payout.items) {
        throw apiError('statement_not_ready');
      }
    }
    csv = statementCsv(items);
    await deps.statements.put(key, csv);
  }
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="creditlink-${influencerId}-${period}.csv"`,
      'cache-control': 'no-store',
    },
    body: csv,
  };
}
