/**
 * The report routes' query and responses (CONTRACT §5, issue 5). The query is validated here for
 * its shape; the day range rules (order, at most 400 days) are in domain/report-range.ts.
 */
import { MAX_REPORT_DAYS } from '../domain/report-range';
import { currencySchema, idSchema, requestDayOrTimeSchema } from './common';
import * as z from './zod';

const dayOrTime = requestDayOrTimeSchema(
  'Must be a day (YYYY-MM-DD) or an ISO 8601 time, which stands for its UTC day.',
).register(z.globalRegistry, {
  description: `A UTC day, both ends included; at most ${MAX_REPORT_DAYS} days in all. Defaults: \`to\` today, \`from\` 29 days before \`to\`.`,
});

export const reportQuerySchema = z.object({
  from: z.optional(dayOrTime),
  to: z.optional(dayOrTime),
  /** `csv` for a CSV export; `Accept: text/csv` does the same. */
  format: z.optional(z.enum(['json', 'csv'])),
});

const count = z.int().check(z.minimum(0));
const money = z.int();

const currencyFiguresSchema = z.object({
  currency: currencySchema,
  orders: count,
  revenueMinor: money,
  commissionMinor: money,
  conversionRateBps: z.int().check(z.minimum(0), z.maximum(10_000)),
  epcMinor: money,
});

const merchantCurrencyFiguresSchema = z.extend(currencyFiguresSchema, {
  /** Fees whose `dueAt` day is in the range. */
  flatFeesMinor: money,
  /** Commission + flat fees. */
  spendMinor: money,
  /** ⌊revenue × 10 000 / spend⌋; null when spend is 0. */
  returnOnSpendBps: z.nullable(z.int()),
  returnOnSpend: z.nullable(z.string()),
});

export const influencerReportSchema = z
  .object({
    influencerId: idSchema,
    from: z.string(),
    to: z.string(),
    clicks: count,
    botClicks: count,
    uniqueVisitors: count,
    storefrontViews: count,
    currencies: z.array(currencyFiguresSchema),
    byLink: z.array(
      z.object({
        code: z.string(),
        clicks: count,
        botClicks: count,
        uniqueVisitors: count,
        currencies: z.array(currencyFiguresSchema),
      }),
    ),
  })
  .register(z.globalRegistry, { id: 'InfluencerReport' });

export const merchantReportSchema = z
  .object({
    merchantId: idSchema,
    from: z.string(),
    to: z.string(),
    clicks: count,
    botClicks: count,
    currencies: z.array(merchantCurrencyFiguresSchema),
    byInfluencer: z.array(
      z.object({
        influencerId: idSchema,
        clicks: count,
        botClicks: count,
        currencies: z.array(merchantCurrencyFiguresSchema),
      }),
    ),
  })
  .register(z.globalRegistry, { id: 'MerchantReport' });
