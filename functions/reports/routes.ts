import { adminErrorResponses as adminErrors, type RouteSpecs } from '../common/http/route-spec';
import { influencerPathSchema, merchantPathSchema } from '../common/schemas/catalog';
import { modelComparisonQuerySchema, modelComparisonSchema } from '../common/schemas/model-comparison';
import { influencerReportSchema, merchantReportSchema, reportQuerySchema } from '../common/schemas/reports';

/** The report routes of the operator API (CONTRACT §5): read-only, from the per-day counters. */
export const reportRoutes = {
  influencerReport: {
    method: 'GET',
    path: '/admin/reports/influencers/{influencerId}',
    auth: 'admin',
    summary:
      "An influencer's clicks, visitors, storefront views and money per currency, with one row per link, over days (CSV with Accept: text/csv or format=csv)",
    params: influencerPathSchema,
    query: reportQuerySchema,
    responses: {
      ...adminErrors,
      200: { description: 'The report (or its CSV export).', schema: influencerReportSchema },
      404: { description: 'Unknown influencer.' },
    },
  },
  merchantReport: {
    method: 'GET',
    path: '/admin/reports/merchants/{merchantId}',
    auth: 'admin',
    summary:
      "A merchant's return on each influencer: clicks, orders, revenue, commission, conversion, EPC and return on spend over days (CSV with Accept: text/csv or format=csv)",
    params: merchantPathSchema,
    query: reportQuerySchema,
    responses: {
      ...adminErrors,
      200: { description: 'The report (or its CSV export).', schema: merchantReportSchema },
      404: { description: 'Unknown merchant.' },
    },
  },
  attributionModelComparison: {
    method: 'GET',
    path: '/admin/reports/merchants/{merchantId}/attribution-models',
    auth: 'admin',
    summary:
      "A merchant's credited orders over days, credited again under each attribution model (same candidate clicks, coupon fallback, rates and refunds): orders and commission per currency and per influencer",
    params: merchantPathSchema,
    query: modelComparisonQuerySchema,
    responses: {
      ...adminErrors,
      200: {
        description:
          'One entry per attribution model, in the order of the models. Orders credited before their candidate clicks were kept on the order are not in it.',
        schema: modelComparisonSchema,
      },
      404: { description: 'Unknown merchant.' },
    },
  },
} satisfies RouteSpecs;
