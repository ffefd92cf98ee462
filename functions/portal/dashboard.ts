/**
 * The dashboard's figures (CONTRACT §11), from the same per-day counters as the reports (one Query
 * over at most 31 days of the influencer's partition: its totals and its links), never from clicks:
 * this month as the influencer report computes it, the last 30 days per day, the unpaid credits
 * (the `unpaidByInfluencer` index, as payouts read it), and the payouts of the last 12 months.
 */
import type { ChartDay } from '../common/domain/portal-chart';
import { type PortalView, renderPortalPage } from '../common/domain/portal-page';
import { buildInfluencerReport, type CounterRow } from '../common/domain/report';
import {
  dayRangeBounds,
  influencerPartition,
  parseSortKey,
  valuesOfItem,
} from '../common/domain/report-counters';
import { addDays, type DayRange, daysInRange } from '../common/domain/report-range';
import { notFound } from '../common/http/responses';
import type { Link } from '../common/repos/links';
import { portal } from './context';

/** How many months of payouts the dashboard lists (one Query of the payouts table each). */
export const PAYOUT_MONTHS = 12;
const CHART_DAYS = 30;
/** Later than any `eligibleAt`: every unpaid item, due or still on hold. */
const EVERY_UNPAID = '2999-12-31T23:59:59.999Z';

const range = (from: string, to: string): DayRange => ({ from, to, days: daysInRange(from, to) });

function periodsBack(today: string, months: number): string[] {
  const [year, month] = today.split('-').map(Number) as [number, number];
  return Array.from({ length: months }, (_, i) => {
    const index = year * 12 + (month - 1) - i;
    return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
  });
}

function sumByCurrency(entries: Iterable<{ currency: string; amountMinor: number }>) {
  const totals = new Map<string, number>();
  for (const e of entries) totals.set(e.currency, (totals.get(e.currency) ?? 0) + e.amountMinor);
  return [...totals.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, amountMinor]) => ({ currency, amountMinor }));
}

async function unpaidTotals(influencerId: string) {
  const items = [];
  for await (const page of portal.orders.unpaidPages(influencerId, EVERY_UNPAID)) items.push(...page);
  return sumByCurrency(items);
}

async function payoutsOf(influencerId: string, today: string) {
  // One Query of the influencer's payouts of every period (index `payoutsByInfluencer`).
  const shown = new Set(periodsBack(today, PAYOUT_MONTHS));
  const done = (await portal.payouts.payoutsOf(influencerId)).filter(
    (p) => p.state === 'done' && shown.has(p.period),
  );
  const perPeriod = [...shown].map((period) => ({
    period,
    payouts: done.filter((p) => p.period === period),
  }));
  return perPeriod
    .filter(({ payouts }) => payouts.length > 0)
    .map(({ period, payouts }) => {
      const payable = payouts.filter((p) => p.status === 'payable');
      return {
        period,
        status: payable.length ? 'payable' : 'carried_over',
        amounts: sumByCurrency((payable.length ? payable : payouts).map((p) => p)),
        payable,
        ...(payable.length ? { statementUrl: `/portal/payouts/${period}/statement.csv` } : {}),
      };
    });
}

export interface FormState {
  values: Record<string, string>;
  errors: Record<string, string>;
}

/** The dashboard page of an influencer, with the "new link" form as given (and its errors). */
export async function dashboardPage(
  influencerId: string,
  csrfToken: string,
  form: FormState = { values: {}, errors: {} },
  notice?: string,
): Promise<string> {
  const now = portal.now();
  const today = now.toISOString().slice(0, 10);
  const monthStart = `${today.slice(0, 7)}-01`;
  const chartStart = addDays(today, -(CHART_DAYS - 1));
  const readFrom = monthStart < chartStart ? monthStart : chartStart;

  const [influencer, enrollments, links, items, unpaid, payouts] = await Promise.all([
    portal.influencers.get(influencerId),
    portal.enrollments.ofInfluencer(influencerId),
    portal.links.ofInfluencer(influencerId),
    (async () => {
      const { low, high } = dayRangeBounds(readFrom, today);
      return portal.counters.range(influencerPartition(influencerId), low, high);
    })(),
    unpaidTotals(influencerId),
    payoutsOf(influencerId, today),
  ]);
  if (!influencer) throw notFound('The influencer');
  const merchants = await Promise.all(enrollments.map((e) => portal.merchants.get(e.merchantId)));

  const rows: CounterRow[] = items.map(({ sk, item }) => ({ sk, values: valuesOfItem(item) }));
  const month = buildInfluencerReport(influencerId, range(monthStart, today), rows);
  const last30 = buildInfluencerReport(influencerId, range(chartStart, today), rows);
  const chartCurrency =
    [...last30.currencies].sort((a, b) => b.commissionMinor - a.commissionMinor)[0]?.currency ??
    merchants.find((m) => m)?.currency ??
    'USD';
  const perDay = new Map<string, ChartDay>();
  for (const row of rows) {
    const key = parseSortKey(row.sk);
    if (key?.scope !== 'total') continue;
    perDay.set(key.day, {
      day: key.day,
      clicks: row.values.clicks,
      commissionMinor: row.values.money.get(chartCurrency)?.commissionMinor ?? 0,
    });
  }
  const days = Array.from({ length: CHART_DAYS }, (_, i) => {
    const day = addDays(chartStart, i);
    return perDay.get(day) ?? { day, clicks: 0, commissionMinor: 0 };
  });
  const clicksByLink = new Map(month.byLink.map((l) => [l.code, l.clicks]));

  const view: PortalView = {
    influencerName: influencer.name,
    monthLabel: new Intl.DateTimeFormat('en', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
      now,
    ),
    month: {
      clicks: month.clicks,
      currencies: month.currencies.map((c) => ({
        currency: c.currency,
        orders: c.orders,
        commissionMinor: c.commissionMinor,
      })),
    },
    unpaid,
    paid: sumByCurrency(
      payouts.flatMap((p) => p.payable.map((x) => ({ currency: x.currency, amountMinor: x.amountMinor }))),
    ),
    chart: { days, currency: chartCurrency },
    links: [...links]
      .sort((a: Link, b: Link) => b.createdAt.localeCompare(a.createdAt) || a.code.localeCompare(b.code))
      .map((l) => ({
        code: l.code,
        shortUrl: `${portal.publicBaseUrl}/${l.code}`,
        targetUrl: l.targetUrl,
        clicks: clicksByLink.get(l.code) ?? 0,
        disabled: l.disabled,
      })),
    payouts: payouts.map(({ period, status, amounts, statementUrl, payable }) => ({
      period,
      status,
      amounts,
      ...(statementUrl ? { statementUrl } : {}),
      settlements: payable
        .filter((p) => p.settlement)
        .sort((a, b) => a.currency.localeCompare(b.currency))
        .map((p) => ({
          currency: p.currency,
          settledAt: p.settlement?.settledAt ?? '',
          reference: p.settlement?.reference ?? '',
        })),
    })),
    programs: merchants.flatMap((merchant) =>
      merchant ? [{ merchantId: merchant.merchantId, name: merchant.name }] : [],
    ),
    form,
    csrfToken,
    ...(notice ? { notice } : {}),
  };
  return renderPortalPage(view);
}
