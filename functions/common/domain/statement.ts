/**
 * A payout's statement as CSV: one row per order (its credit and its clawbacks in this payout), one
 * row per flat fee (with its id and memo), and a total row per currency. Pure: the caller streams
 * the payout's items to it, in any order.
 */
export interface StatementItem {
  merchantId: string;
  /** Empty for a fee. */
  orderId: string;
  /** The order's time, or a fee's due time. */
  occurredAt: string;
  currency: string;
  kind: 'credit' | 'adjustment' | 'fee';
  amountMinor: number;
  feeId?: string;
  memo?: string;
}

/** `order_time` is a fee's due time on a fee's row; `fee_id` and `memo` are empty on an order's. */
export const STATEMENT_HEADER =
  'order_id,merchant_id,order_time,currency,credit_minor,adjustments_minor,fee_minor,total_minor,fee_id,memo';

/**
 * Quotes a text field when it needs it, and defuses a leading `=`, `+`, `-` or `@` (a spreadsheet
 * would run it as a formula: merchants choose order ids, operators write memos).
 */
export function csvText(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

interface Row {
  item: StatementItem;
  credit: number;
  adjustments: number;
  fee: number;
  time: string;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Builds the CSV from items in any order; rows come out by merchant, its orders by id, then its fees by id. */
export function statementCsv(items: Iterable<StatementItem>): string {
  const rows = new Map<string, Row>();
  for (const item of items) {
    const key =
      item.kind === 'fee'
        ? JSON.stringify(['fee', item.merchantId, item.feeId ?? '', item.currency])
        : JSON.stringify(['order', item.merchantId, item.orderId, item.currency]);
    const row = rows.get(key) ?? { item, credit: 0, adjustments: 0, fee: 0, time: '' };
    row.time = item.occurredAt;
    if (item.kind === 'credit') row.credit += item.amountMinor;
    else if (item.kind === 'fee') row.fee += item.amountMinor;
    else row.adjustments += item.amountMinor;
    rows.set(key, row);
  }
  const isFee = (row: Row) => (row.item.kind === 'fee' ? 1 : 0);
  const sorted = [...rows.values()].sort(
    (a, b) =>
      byText(a.item.merchantId, b.item.merchantId) ||
      isFee(a) - isFee(b) ||
      byText(a.item.orderId, b.item.orderId) ||
      byText(a.item.feeId ?? '', b.item.feeId ?? ''),
  );
  const lines = [STATEMENT_HEADER];
  const totals = new Map<string, number>();
  for (const row of sorted) {
    const total = row.credit + row.adjustments + row.fee;
    totals.set(row.item.currency, (totals.get(row.item.currency) ?? 0) + total);
    const fee = row.item.kind === 'fee';
    lines.push(
      [
        csvText(row.item.orderId),
        csvText(row.item.merchantId),
        row.time,
        row.item.currency,
        row.credit,
        row.adjustments,
        row.fee,
        total,
        fee ? csvText(row.item.feeId ?? '') : '',
        fee ? csvText(row.item.memo ?? '') : '',
      ].join(','),
    );
  }
  for (const [currency, total] of [...totals].sort())
    lines.push(['TOTAL', '', '', currency, '', '', '', total, '', ''].join(','));
  return `${lines.join('\n')}\n`;
}
