/**
 * Each report: validate the path and query, check the influencer or merchant exists, read its
 * counter items over the day range (one Query, paged), and answer JSON or CSV. The number of items
 * read is at most days × (1 + links) for an influencer, days × (1 + influencers) for a merchant:
 * it depends on the range and the catalogue, never on the traffic.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { buildInfluencerReport, buildMerchantReport, type CounterRow } from '../domain/report';
import {
  dayRangeBounds,
  influencerPartition,
  merchantPartition,
  valuesOfItem,
} from '../domain/report-counters';
import { influencerReportCsv, merchantReportCsv } from '../domain/report-csv';
import { type DayRange, parseDayRange } from '../domain/report-range';
import { header } from '../http/request';
import { apiError, type HttpResult, json, notFound } from '../http/responses';
import type { CounterRepo } from '../repos/counters';
import type { InfluencerRepo } from '../repos/influencers';
import type { MerchantRepo } from '../repos/merchants';
import type { reportQuerySchema } from '../schemas/reports';
import type * as z from '../schemas/zod';

/** What the reports read: the operator's routes and the parties' own keys alike. */
export interface ReportDeps {
  counters: Pick<CounterRepo, 'range'>;
  influencers: Pick<InfluencerRepo, 'get'>;
  merchants: Pick<MerchantRepo, 'get'>;
  now: () => Date;
}

type ReportQuery = z.output<typeof reportQuerySchema>;

interface ReportRequest {
  range: DayRange;
  csv: boolean;
}

function parseRequest(deps: ReportDeps, query: ReportQuery, event: APIGatewayProxyEventV2): ReportRequest {
  const parsed = parseDayRange(query, deps.now());
  if (!parsed.ok) throw apiError('invalid_query', 'The day range is not valid.', parsed.issues);
  // `format` wins over the Accept header; without either, JSON.
  const csv = query.format ? query.format === 'csv' : (header(event, 'accept') ?? '').includes('text/csv');
  return { range: parsed.range, csv };
}

async function rowsOf(deps: ReportDeps, pk: string, range: DayRange): Promise<CounterRow[]> {
  const { low, high } = dayRangeBounds(range.from, range.to);
  const items = await deps.counters.range(pk, low, high);
  return items.map(({ sk, item }) => ({ sk, values: valuesOfItem(item) }));
}

function csvResponse(body: string, filename: string): HttpResult {
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${filename}"`,
      'cache-control': 'no-store',
    },
    body,
  };
}

export async function influencerReport(
  deps: ReportDeps,
  influencerId: string,
  query: ReportQuery,
  event: APIGatewayProxyEventV2,
): Promise<HttpResult> {
  const { range, csv } = parseRequest(deps, query, event);
  if (!(await deps.influencers.get(influencerId))) throw notFound('The influencer');
  const report = buildInfluencerReport(
    influencerId,
    range,
    await rowsOf(deps, influencerPartition(influencerId), range),
  );
  return csv
    ? csvResponse(influencerReportCsv(report), `influencer-${influencerId}-${range.from}-${range.to}.csv`)
    : json(200, report);
}

export async function merchantReport(
  deps: ReportDeps,
  merchantId: string,
  query: ReportQuery,
  event: APIGatewayProxyEventV2,
): Promise<HttpResult> {
  const { range, csv } = parseRequest(deps, query, event);
  if (!(await deps.merchants.get(merchantId))) throw notFound('The merchant');
  const report = buildMerchantReport(
    merchantId,
    range,
    await rowsOf(deps, merchantPartition(merchantId), range),
  );
  return csv
    ? csvResponse(merchantReportCsv(report), `merchant-${merchantId}-${range.from}-${range.to}.csv`)
    : json(200, report);
}
