/**
 * Report maths and assembly (CONTRACT §5, issue 5): the figures of an influencer's or a merchant's
 * report from the counter items of a day range. Pure, integers only.
 *
 * Rounding: every ratio is one integer division of exact integers (BigInt, so no product can lose
 * precision), rounded to the nearest integer with halves away from zero (so a negative commission,
 * after clawbacks, rounds like its positive mirror). Divisions by zero have a defined answer:
 * - conversionRateBps = orders × 10 000 / clicks, 0 when there are no clicks. It is capped at
 *   10 000 (the contract's range for rates): coupon orders need no click, so orders can outnumber
 *   clicks; `orders` and `clicks` are in the report as they are.
 * - epcMinor = commission / clicks in minor units, 0 when there are no clicks.
 * - spendMinor = commission + flat fees (CONTRACT §10): everything the merchant paid for the scope.
 * - returnOnSpendBps = ⌊revenue × 10 000 / spend⌋ (so 10× is 100 000), and returnOnSpend the same
 *   ratio as a decimal string, floored to two decimals ("10.00"); both null when spend is 0.
 *   Floored, not rounded, as the contract fixes: a creator never shows a better return than earned.
 * Per-currency rates divide by all of the scope's clicks: a click has no currency.
 */
import { estimateDistinct } from './hyperloglog';
import {
  type CounterValues,
  emptyMoney,
  type MoneyTotals,
  type ParsedSortKey,
  parseSortKey,
} from './report-counters';
import type { DayRange } from './report-range';

export const BPS = 10_000;

/** round(numerator / denominator), halves away from zero; the denominator must not be 0. */
export function divideRounded(numerator: number, denominator: number): number {
  if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator) || denominator === 0) {
    throw new RangeError(
      `divideRounded needs safe integers and a non-zero denominator (${numerator}/${denominator})`,
    );
  }
  return Number(roundedQuotient(BigInt(numerator), BigInt(denominator)));
}

function roundedQuotient(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const q = (2n * n + d) / (2n * d);
  return negative ? -q : q;
}

export function conversionRateBps(orders: number, clicks: number): number {
  if (clicks <= 0) return 0;
  return Math.min(BPS, Math.max(0, Number(roundedQuotient(BigInt(orders) * BigInt(BPS), BigInt(clicks)))));
}

export function epcMinor(commissionMinor: number, clicks: number): number {
  return clicks <= 0 ? 0 : divideRounded(commissionMinor, clicks);
}

/** ⌊numerator / denominator⌋ (BigInt division truncates toward zero instead). */
function flooredQuotient(numerator: bigint, denominator: bigint): bigint {
  const q = numerator / denominator;
  return q * denominator !== numerator && numerator < 0n !== denominator < 0n ? q - 1n : q;
}

export function returnOnSpendBps(revenueMinor: number, spendMinor: number): number | null {
  if (spendMinor === 0) return null;
  return Number(flooredQuotient(BigInt(revenueMinor) * BigInt(BPS), BigInt(spendMinor)));
}

/** The same ratio as a decimal string floored to two decimals, e.g. "12.50"; null like returnOnSpendBps. */
export function returnOnSpendDecimal(revenueMinor: number, spendMinor: number): string | null {
  if (spendMinor === 0) return null;
  const hundredths = flooredQuotient(BigInt(revenueMinor) * 100n, BigInt(spendMinor));
  const sign = hundredths < 0n ? '-' : '';
  const abs = hundredths < 0n ? -hundredths : hundredths;
  return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}

// ---------------------------------------------------------------- report shapes

export interface CurrencyFigures {
  currency: string;
  orders: number;
  revenueMinor: number;
  commissionMinor: number;
  conversionRateBps: number;
  epcMinor: number;
}

export interface MerchantCurrencyFigures extends CurrencyFigures {
  flatFeesMinor: number;
  spendMinor: number;
  returnOnSpendBps: number | null;
  returnOnSpend: string | null;
}

export interface InfluencerReport {
  influencerId: string;
  from: string;
  to: string;
  clicks: number;
  botClicks: number;
  uniqueVisitors: number;
  storefrontViews: number;
  currencies: CurrencyFigures[];
  byLink: Array<{
    code: string;
    clicks: number;
    botClicks: number;
    uniqueVisitors: number;
    currencies: CurrencyFigures[];
  }>;
}

export interface MerchantReport {
  merchantId: string;
  from: string;
  to: string;
  clicks: number;
  botClicks: number;
  currencies: MerchantCurrencyFigures[];
  byInfluencer: Array<{
    influencerId: string;
    clicks: number;
    botClicks: number;
    currencies: MerchantCurrencyFigures[];
  }>;
}

/** A counter item as read: its sort key and its figures. */
export interface CounterRow {
  sk: string;
  values: CounterValues;
}

// ---------------------------------------------------------------- summing

const safeSum = (a: number, b: number) => {
  const sum = a + b;
  if (!Number.isSafeInteger(sum)) throw new RangeError('A report total left the safe integer range.');
  return sum;
};

/** Figures summed over days. */
class Totals {
  clicks = 0;
  botClicks = 0;
  storefrontViews = 0;
  readonly money = new Map<string, MoneyTotals>();
  readonly visitors: number[] = [];

  add(values: CounterValues): void {
    this.clicks = safeSum(this.clicks, values.clicks);
    this.botClicks = safeSum(this.botClicks, values.botClicks);
    this.storefrontViews = safeSum(this.storefrontViews, values.storefrontViews);
    for (const [currency, add] of values.money) {
      const totals = this.money.get(currency) ?? emptyMoney();
      totals.orders = safeSum(totals.orders, add.orders);
      totals.revenueMinor = safeSum(totals.revenueMinor, add.revenueMinor);
      totals.commissionMinor = safeSum(totals.commissionMinor, add.commissionMinor);
      totals.flatFeesMinor = safeSum(totals.flatFeesMinor, add.flatFeesMinor);
      this.money.set(currency, totals);
    }
    for (const element of values.visitors) this.visitors.push(element);
  }

  currencies(): CurrencyFigures[] {
    return [...this.money.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([currency, m]) => ({
        currency,
        orders: m.orders,
        revenueMinor: m.revenueMinor,
        commissionMinor: m.commissionMinor,
        conversionRateBps: conversionRateBps(m.orders, this.clicks),
        epcMinor: epcMinor(m.commissionMinor, this.clicks),
      }));
  }

  /** A currency with fees but no orders has its row too. */
  merchantCurrencies(): MerchantCurrencyFigures[] {
    return this.currencies().map((c) => {
      const flatFeesMinor = this.money.get(c.currency)?.flatFeesMinor ?? 0;
      const spendMinor = safeSum(c.commissionMinor, flatFeesMinor);
      return {
        currency: c.currency,
        orders: c.orders,
        revenueMinor: c.revenueMinor,
        commissionMinor: c.commissionMinor,
        flatFeesMinor,
        spendMinor,
        returnOnSpendBps: returnOnSpendBps(c.revenueMinor, spendMinor),
        returnOnSpend: returnOnSpendDecimal(c.revenueMinor, spendMinor),
        conversionRateBps: c.conversionRateBps,
        epcMinor: c.epcMinor,
      };
    });
  }
}

/** Groups rows by what their sort key says, keeping only days inside the range. */
function group(rows: readonly CounterRow[], range: DayRange) {
  const total = new Totals();
  const parts = new Map<string, Totals>();
  for (const row of rows) {
    const key: ParsedSortKey | undefined = parseSortKey(row.sk);
    if (!key || key.day < range.from || key.day > range.to) continue;
    if (key.scope === 'total') {
      total.add(row.values);
      continue;
    }
    const id = key.scope === 'link' ? key.code : key.influencerId;
    const part = parts.get(id) ?? new Totals();
    part.add(row.values);
    parts.set(id, part);
  }
  const sorted = [...parts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { total, parts: sorted };
}

export function buildInfluencerReport(
  influencerId: string,
  range: DayRange,
  rows: readonly CounterRow[],
): InfluencerReport {
  const { total, parts } = group(rows, range);
  return {
    influencerId,
    from: range.from,
    to: range.to,
    clicks: total.clicks,
    botClicks: total.botClicks,
    uniqueVisitors: estimateDistinct(total.visitors),
    storefrontViews: total.storefrontViews,
    currencies: total.currencies(),
    byLink: parts.map(([code, t]) => ({
      code,
      clicks: t.clicks,
      botClicks: t.botClicks,
      uniqueVisitors: estimateDistinct(t.visitors),
      currencies: t.currencies(),
    })),
  };
}

export function buildMerchantReport(
  merchantId: string,
  range: DayRange,
  rows: readonly CounterRow[],
): MerchantReport {
  const { total, parts } = group(rows, range);
  return {
    merchantId,
    from: range.from,
    to: range.to,
    clicks: total.clicks,
    botClicks: total.botClicks,
    currencies: total.merchantCurrencies(),
    byInfluencer: parts.map(([influencerId, t]) => ({
      influencerId,
      clicks: t.clicks,
      botClicks: t.botClicks,
      currencies: t.merchantCurrencies(),
    })),
  };
}
