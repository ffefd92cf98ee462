import { adminErrorResponses as adminErrors, type RouteSpecs } from '../common/http/route-spec';
import {
  payoutRunSchema,
  payoutsQuerySchema,
  startRunSchema,
  statementPathSchema,
} from '../common/schemas/payouts';

/** The payout routes of the operator API (CONTRACT §5, §8). */
export const payoutRoutes = {
  startPayoutRun: {
    method: 'POST',
    path: '/admin/payouts/runs',
    auth: 'admin',
    summary: 'Run the payouts of a period (idempotent: a period that ran returns its stored result)',
    body: startRunSchema,
    responses: {
      ...adminErrors,
      200: { description: 'The run, complete.', schema: payoutRunSchema },
      202: {
        description: 'The run is still going (large runs): read it with GET /admin/payouts.',
        schema: payoutRunSchema,
      },
      409: { description: 'A later period has already run.' },
    },
  },
  getPayoutRun: {
    method: 'GET',
    path: '/admin/payouts',
    auth: 'admin',
    summary: 'A payout run and its payouts',
    query: payoutsQuerySchema,
    responses: {
      ...adminErrors,
      200: { description: 'The run.', schema: payoutRunSchema },
      404: { description: 'That period never ran.' },
    },
  },
  getStatement: {
    method: 'GET',
    path: '/admin/payouts/{influencerId}/{period}/statement.csv',
    auth: 'admin',
    summary: "CSV statement of an influencer's payable payouts of a period",
    params: statementPathSchema,
    responses: {
      ...adminErrors,
      200: {
        description: 'order_id, merchant_id, order_time, currency, credit, adjustments, total.',
        contentType: 'text/csv',
      },
      404: { description: 'No payable payout for this influencer and period.' },
      503: { description: 'The statement is still being prepared; try again shortly.' },
    },
  },
} satisfies RouteSpecs;
