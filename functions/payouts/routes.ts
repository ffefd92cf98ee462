import { adminErrorResponses as adminErrors, type RouteSpecs } from '../common/http/route-spec';
import {
  payoutPathSchema,
  payoutRunSchema,
  payoutsQuerySchema,
  settledPayoutSchema,
  settlePayoutSchema,
  startRunSchema,
  statementPathSchema,
} from '../common/schemas/payouts';

/** The payout routes of the operator API (CONTRACT §5, §8, §12). */
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
  settlePayout: {
    method: 'POST',
    path: '/admin/payouts/{payoutId}/settlement',
    auth: 'admin',
    summary:
      'Record that a payable payout was paid, with its transfer reference (idempotent for the same reference)',
    params: payoutPathSchema,
    // A string that cannot be a payout id names no payout.
    invalidPath: 'not_found',
    body: settlePayoutSchema,
    responses: {
      ...adminErrors,
      200: {
        description:
          'The payout with its settlement; settled already with the same reference, it is returned unchanged.',
        schema: settledPayoutSchema,
      },
      404: { description: 'No such payout (the id is `<period>#<influencerId>#<currency>`, `#` as `%23`).' },
      409: {
        description:
          '`already_settled`: settled with another reference; `not_payable`: carried over, or its total still being counted.',
      },
    },
  },
} satisfies RouteSpecs;
