/**
 * The report routes of the operator API (CONTRACT §5, issue 5): an influencer's figures with one
 * row per link, and a merchant's with one row per influencer, over a range of days, as JSON or CSV.
 * Read-only: the figures come from the per-day counters the aggregator keeps (no click is read).
 */
import { requireAdmin } from '../common/http/admin-auth';
import { httpHandler } from '../common/http/handler';
import { notFound } from '../common/http/responses';
import { influencerReport, merchantReport } from './reports';

export const handler = httpHandler(async (event) => {
  await requireAdmin(event);
  switch (event.routeKey) {
    case 'GET /admin/reports/influencers/{influencerId}':
      return influencerReport(event);
    case 'GET /admin/reports/merchants/{merchantId}':
      return merchantReport(event);
    default:
      throw notFound('The route');
  }
});
