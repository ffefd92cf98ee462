/**
 * The report routes of the operator API (CONTRACT §5, issue 5): an influencer's figures with one
 * row per link, and a merchant's with one row per influencer, over a range of days, as JSON or CSV.
 * Read-only: the figures come from the per-day counters the aggregator keeps (no click is read).
 */
import { attributionModelComparison } from '../common/actions/attribution-models';
import { influencerReport, merchantReport } from '../common/actions/reports';
import { routeHandler } from '../common/http/adapter';
import { reports } from './context';
import { reportRoutes } from './routes';

export const handler = routeHandler(reportRoutes, {
  influencerReport: ({ params, query, event }) =>
    influencerReport(reports, params.influencerId, query, event),
  merchantReport: ({ params, query, event }) => merchantReport(reports, params.merchantId, query, event),
  attributionModelComparison: ({ params, query }) =>
    attributionModelComparison(reports, params.merchantId, query),
});
