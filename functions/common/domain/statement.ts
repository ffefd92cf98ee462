/**
 * A payout's statement as CSV: one row per order (its credit and its clawbacks in this payout) and a
 * total row. Pure: the caller streams the payout's items to it, grouped by order.
 */
export interface StatementItem {
  merchantId: string;
  orderId: string;
  /** The order's time. */
  occurredAt: string;
  currency: string;
  kind: 'credit' | 'adjustment';
  amountMinor: number;
}

export const STATEMENT_HEADER =
  'order_id,merchant_id,order_time,currency,credit_minor,adjustments_minor,total_minor';

/**
 * Quotes a text field when it needs it, and defuses a leading `=`, `+`, `-` or `@` (a spreadsheet
 * would run it as a formula: merchants choose order ids).
 */
export function csvText(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** Builds the CSV from items in any order; rows come out by merchant, order id. */
export function statementCsv(items: Iterable<StatementItem>): string {
  const orders = new Map<
    string,
    { item: StatementItem; credit: number; adjustments: number; time: string }
  >();
  for (const item of items) {
    const key = JSON.stringify([item.merchantId, item.orderId, item.currency]);
    const row = orders.get(key) ?? { item, credit: 0, adjustments: 0, time: '' };
    row.time = item.occurredAt;
    if (item.kind === 'credit') row.credit += item.amountMinor;
    else row.adjustments += item.amountMinor;
    orders.set(key, row);
  }
  const rows = [...orders.values()].sort(
    (a, b) =>
      a.item.merchantId.localeCompare(b.item.merchantId) || a.item.orderId.localeCompare(b.item.orderId),
  );
  const lines = [STATEMENT_HEADER];
  const totals = new Map<string, number>();
  for (const row of rows) {
    const total = row.credit + row.adjustments;
    totals.set(row.item.currency, (totals.get(row.item.currency) ?? 0) + total);
    lines.push(
      [
        csvText(row.item.orderId),
        csvText(row.item.merchantId),
        row.time,
        row.item.currency,
        row.credit,
        row.adjustments,
        total,
      ].join(','),
    );
  }
  for (const [currency, total] of [...totals].sort())
    lines.push(['TOTAL', '', '', currency, '', '', total].join(','));
  return `${lines.join('\n')}\n`;
}
