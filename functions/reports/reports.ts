/**
 * Each report: validate the path and query, check the influencer or merchant exists, read its
 * counter items over the day range (one Query, paged), and answer JSON or CSV. The number of items
 * read is at most days × (1 + links) for an influencer, days × (1 + influencers) for a merchant:
 * it depends on the range and the catalogue, never on the traffic.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { z } from 'zod';
import { buildInfluencerReport, buildMerchantReport, type CounterRow } from '../common/domain/report';
import {
  dayRangeBounds,
  influencerPartition,
  merchantPartition,
  valuesOfItem,
} from '../common/domain/report-counters';
import { influencerReportCsv, merchantReportCsv } from '../common/domain/report-csv';
import { type DayRange, parseDayRange } from '../common/domain/report-range';
import { header } from '../common/http/request';
import { apiError, type HttpResult, json, notFound } from '../common/http/responses';
import type { reportQuerySchema } from '../common/schemas/reports';
import { reports } from './context';

type ReportQuery = z.output<typeof reportQuerySchema>;

interface ReportRequest {
  range: DayRange;
  csv: boolean;
}

function parseRequest(query: ReportQuery, event: APIGatewayProxyEventV2): ReportRequest {
  const parsed = parseDayRange(query, reports.now());
  if (!parsed.ok) throw apiError('invalid_query', 'The day range is not valid.', parsed.issues);
  // `format` wins over the Accept header; without either, JSON.
  const csv = query.format ? query.format === 'csv' : (header(event, 'accept') ?? '').includes('text/csv');
  return { range: parsed.range, csv };
}

async function rowsOf(pk: string, range: DayRange): Promise<CounterRow[]> {
  const { low, high } = dayRangeBounds(range.from, range.to);
  const items = await reports.counters.range(pk, low, high);
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
  influencerId: string,
  query: ReportQuery,
  event: APIGatewayProxyEventV2,
): Promise<HttpResult> {
  const { range, csv } = parseRequest(query, event);
  if (!(await reports.influencers.get(influencerId))) throw notFound('The influencer');
  const report = buildInfluencerReport(
    influencerId,
    range,
    await rowsOf(influencerPartition(influencerId), range),
  );
  return csv
    ? csvResponse(influencerReportCsv(report), `influencer-${influencerId}-${range.from}-${range.to}.csv`)
    : json(200, report);
}

export async function merchantReport(
  merchantId: string,
  query: ReportQuery,
  event: APIGatewayProxyEventV2,
): Promise<HttpResult> {
  const { range, csv } = parseRequest(query, event);
  if (!(await reports.merchants.get(merchantId))) throw notFound('The merchant');
  const report = buildMerchantReport(merchantId, range, await rowsOf(merchantPartition(merchantId), range));
  return csv
    ? csvResponse(merchantReportCsv(report), `merchant-${merchantId}-${range.from}-${range.to}.csv`)
    : json(200, report);
}
