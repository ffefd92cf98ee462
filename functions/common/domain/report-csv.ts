/**
 * CSV exports of the reports (RFC 4180: comma-separated, CRLF line ends, fields quoted when they
 * hold a comma, quote or line break). One row per scope and currency: the first rows are the
 * report's totals (empty `code` / `influencerId`), then one group per link or influencer. A scope
 * without orders still has one row, with an empty currency and zero money. Click figures repeat on
 * each currency row of a scope, as the per-currency rates are computed over all of its clicks: sum
 * clicks over scopes, not over rows. Money stays in integer minor units, as in the JSON.
 *
 * A text cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR; ids
 * may start with "-") gets a leading apostrophe. Numbers are written as numbers, never escaped.
 */
import type { CurrencyFigures, InfluencerReport, MerchantCurrencyFigures, MerchantReport } from './report';

type Cell = string | number | null;

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return String(cell);
  const text = FORMULA_START.test(cell) ? `'${cell}` : cell;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: readonly Cell[][]): string {
  return `${[header.map(csvCell), ...rows.map((row) => row.map(csvCell))].map((r) => r.join(',')).join('\r\n')}\r\n`;
}

const MONEY_COLUMNS = [
  'currency',
  'orders',
  'revenueMinor',
  'commissionMinor',
  'conversionRateBps',
  'epcMinor',
] as const;

function moneyCells(c: CurrencyFigures | undefined): Cell[] {
  return c
    ? [c.currency, c.orders, c.revenueMinor, c.commissionMinor, c.conversionRateBps, c.epcMinor]
    : ['', 0, 0, 0, 0, 0];
}

/** One row per currency (or a single row without one), each prefixed with the scope's cells. */
function perCurrency<C extends CurrencyFigures>(
  prefix: Cell[],
  currencies: readonly C[],
  extra: (c: C | undefined) => Cell[] = () => [],
): Cell[][] {
  if (currencies.length === 0) return [[...prefix, ...moneyCells(undefined), ...extra(undefined)]];
  return currencies.map((c) => [...prefix, ...moneyCells(c), ...extra(c)]);
}

export function influencerReportCsv(report: InfluencerReport): string {
  const header = [
    'from',
    'to',
    'influencerId',
    'code',
    'clicks',
    'botClicks',
    'uniqueVisitors',
    'storefrontViews',
    ...MONEY_COLUMNS,
  ];
  const { from, to, influencerId } = report;
  const rows = [
    ...perCurrency(
      [
        from,
        to,
        influencerId,
        '',
        report.clicks,
        report.botClicks,
        report.uniqueVisitors,
        report.storefrontViews,
      ],
      report.currencies,
    ),
    ...report.byLink.flatMap((link) =>
      perCurrency(
        [from, to, influencerId, link.code, link.clicks, link.botClicks, link.uniqueVisitors, null],
        link.currencies,
      ),
    ),
  ];
  return toCsv(header, rows);
}

export function merchantReportCsv(report: MerchantReport): string {
  const header = [
    'from',
    'to',
    'merchantId',
    'influencerId',
    'clicks',
    'botClicks',
    ...MONEY_COLUMNS,
    'flatFeesMinor',
    'spendMinor',
    'returnOnSpendBps',
    'returnOnSpend',
  ];
  const { from, to, merchantId } = report;
  const ros = (c: MerchantCurrencyFigures | undefined): Cell[] => [
    c?.flatFeesMinor ?? 0,
    c?.spendMinor ?? 0,
    c?.returnOnSpendBps ?? null,
    c?.returnOnSpend ?? null,
  ];
  const rows = [
    ...perCurrency([from, to, merchantId, '', report.clicks, report.botClicks], report.currencies, ros),
    ...report.byInfluencer.flatMap((row) =>
      perCurrency([from, to, merchantId, row.influencerId, row.clicks, row.botClicks], row.currencies, ros),
    ),
  ];
  return toCsv(header, rows);
}
