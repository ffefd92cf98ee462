import { keyErrorResponses as keyErrors, type RouteSpecs } from '../common/http/route-spec';
import {
  influencerPathSchema,
  linkPathSchema,
  linkSchema,
  merchantSchema,
  secretRotatedSchema,
  updateLinkSchema,
} from '../common/schemas/catalog';
import {
  createEndpointSchema,
  deliveriesQuerySchema,
  deliveryListSchema,
  deliveryPathSchema,
  deliverySchema,
  endpointCreatedSchema,
  endpointListSchema,
  endpointPathSchema,
  endpointSchema,
} from '../common/schemas/endpoints';
import { modelComparisonQuerySchema, modelComparisonSchema } from '../common/schemas/model-comparison';
import { orderViewSchema } from '../common/schemas/orders';
import { enrollmentListSchema, enrollmentSchema, putEnrollmentSchema } from '../common/schemas/programs';
import { influencerReportSchema, merchantReportSchema, reportQuerySchema } from '../common/schemas/reports';
import {
  createMyLinkSchema,
  creditListSchema,
  creditsQuerySchema,
  linkListSchema,
  meSchema,
  myPayoutListSchema,
  orderIdPathSchema,
  periodPathSchema,
  putMyStorefrontSchema,
} from '../common/schemas/self-service';
import { storefrontPathSchema, storefrontSchema } from '../common/schemas/storefronts';

/**
 * Merchants and influencers on their own API keys (CONTRACT §11). No route takes the owner's id: it
 * is the key's, so a caller can name nothing but itself.
 */
export const selfServiceRoutes = {
  getMe: {
    method: 'GET',
    path: '/v1/me',
    auth: 'influencer',
    summary: 'The influencer itself, with its programs and the rates in force for it in each',
    responses: {
      ...keyErrors,
      200: { description: 'The influencer and its programs.', schema: meSchema },
    },
  },
  listMyLinks: {
    method: 'GET',
    path: '/v1/me/links',
    auth: 'influencer',
    summary: "The influencer's links, by code",
    responses: {
      ...keyErrors,
      200: { description: 'Its links with their short URLs.', schema: linkListSchema },
    },
  },
  createMyLink: {
    method: 'POST',
    path: '/v1/me/links',
    auth: 'influencer',
    summary: 'Make a short link for a merchant the influencer is enrolled with (it does not enroll)',
    body: createMyLinkSchema,
    responses: {
      ...keyErrors,
      201: { description: 'The link with its short URL.', schema: linkSchema },
      404: { description: 'A merchant it is not enrolled with (known or not).' },
      409: { description: 'The code is taken.' },
    },
  },
  updateMyLink: {
    method: 'PATCH',
    path: '/v1/me/links/{code}',
    auth: 'influencer',
    summary: 'Disable or enable one of its links (takes effect within 5 seconds)',
    params: linkPathSchema,
    body: updateLinkSchema,
    responses: {
      ...keyErrors,
      200: { description: 'The link.', schema: linkSchema },
      404: { description: 'No link of its own has this code.' },
    },
  },
  getMyReport: {
    method: 'GET',
    path: '/v1/me/report',
    auth: 'influencer',
    summary:
      "The influencer's clicks, visitors, storefront views and money per currency, with one row per link, over days (CSV with Accept: text/csv or format=csv)",
    query: reportQuerySchema,
    responses: {
      ...keyErrors,
      200: { description: 'The report (or its CSV export).', schema: influencerReportSchema },
    },
  },
  listMyCredits: {
    method: 'GET',
    path: '/v1/me/credits',
    auth: 'influencer',
    summary: 'Every credit, clawback and flat fee of the influencer, newest first, 100 a page',
    query: creditsQuerySchema,
    responses: {
      ...keyErrors,
      200: { description: 'A page of its ledger.', schema: creditListSchema },
    },
  },
  listMyPayouts: {
    method: 'GET',
    path: '/v1/me/payouts',
    auth: 'influencer',
    summary: 'Every payout of the influencer, of every period, oldest period first',
    responses: {
      ...keyErrors,
      200: { description: 'Its payouts, each with its period.', schema: myPayoutListSchema },
    },
  },
  getMyStatement: {
    method: 'GET',
    path: '/v1/me/payouts/{period}/statement.csv',
    auth: 'influencer',
    summary: "CSV statement of the influencer's payable payouts of a period",
    params: periodPathSchema,
    responses: {
      ...keyErrors,
      200: {
        description: 'order_id, merchant_id, order_time, currency, credit, adjustments, total.',
        contentType: 'text/csv',
      },
      404: { description: 'No payable payout of its own for this period.' },
      503: { description: 'The statement is still being prepared; try again shortly.' },
    },
  },
  putMyStorefront: {
    method: 'PUT',
    path: '/v1/me/storefronts/{handle}',
    auth: 'influencer',
    summary: 'Create or replace one of its storefronts (every item a link of its own)',
    params: storefrontPathSchema,
    body: putMyStorefrontSchema,
    responses: {
      ...keyErrors,
      200: { description: 'The storefront.', schema: storefrontSchema },
      409: { description: 'The handle belongs to another influencer.' },
    },
  },
  getMyStorefront: {
    method: 'GET',
    path: '/v1/me/storefronts/{handle}',
    auth: 'influencer',
    summary: 'Read one of its storefronts',
    params: storefrontPathSchema,
    responses: {
      ...keyErrors,
      200: { description: 'The storefront.', schema: storefrontSchema },
      404: { description: 'No storefront of its own has this handle.' },
    },
  },
  getMyMerchant: {
    method: 'GET',
    path: '/v1/merchant',
    auth: 'merchant',
    summary: "The merchant's settings (never a secret)",
    responses: {
      ...keyErrors,
      200: { description: 'The merchant.', schema: merchantSchema },
    },
  },
  rotateMyWebhookSecret: {
    method: 'POST',
    path: '/v1/merchant/secrets',
    auth: 'merchant',
    summary: "Rotate the merchant's webhook secret (the previous ones keep working for 24 hours)",
    responses: {
      ...keyErrors,
      201: { description: 'The new secret, shown only this once.', schema: secretRotatedSchema },
      503: { description: 'The merchant was changed concurrently; try again.' },
    },
  },
  // QR codes of the influencer's own links.
  getMyLinkQr: {
    method: 'GET',
    path: '/v1/me/links/{code}/qr.svg',
    auth: 'influencer',
    summary: "A QR code (SVG) of one of the influencer's links' short URL",
    params: linkPathSchema,
    responses: {
      ...keyErrors,
      200: { description: 'The QR code of the short URL.', contentType: 'image/svg+xml' },
      404: { description: 'No such link of this influencer.' },
    },
  },
  getMyOrder: {
    method: 'GET',
    path: '/v1/merchant/orders/{orderId}',
    auth: 'merchant',
    summary: 'One of its orders as credited, with the evidence for each attribution',
    params: orderIdPathSchema,
    responses: {
      ...keyErrors,
      200: { description: 'The order view.', schema: orderViewSchema },
      404: { description: 'No order of its own has this id.' },
    },
  },
  listMyInfluencers: {
    method: 'GET',
    path: '/v1/merchant/influencers',
    auth: 'merchant',
    summary: "The merchant's program: every enrollment with its terms",
    responses: {
      ...keyErrors,
      200: { description: 'Its enrollments.', schema: enrollmentListSchema },
    },
  },
  putMyInfluencer: {
    method: 'PUT',
    path: '/v1/merchant/influencers/{influencerId}',
    auth: 'merchant',
    summary: 'Enroll an influencer in its program on these terms, or replace its terms',
    params: influencerPathSchema,
    body: putEnrollmentSchema,
    responses: {
      ...keyErrors,
      200: { description: 'The enrollment.', schema: enrollmentSchema },
      404: { description: 'Unknown influencer.' },
      409: { description: '`fee_paid`: a fee already paid was changed or dropped.' },
      503: { description: 'The enrollment or its fees kept changing; try again.' },
    },
  },
  getMyInfluencer: {
    method: 'GET',
    path: '/v1/merchant/influencers/{influencerId}',
    auth: 'merchant',
    summary: 'One enrollment of its program',
    params: influencerPathSchema,
    responses: {
      ...keyErrors,
      200: { description: 'The enrollment.', schema: enrollmentSchema },
      404: { description: 'The influencer is not enrolled in its program.' },
    },
  },
  deleteMyInfluencer: {
    method: 'DELETE',
    path: '/v1/merchant/influencers/{influencerId}',
    auth: 'merchant',
    summary: 'End an enrollment (its unpaid fees are cancelled; its links keep working)',
    params: influencerPathSchema,
    responses: {
      ...keyErrors,
      204: { description: 'Ended.' },
      404: { description: 'The influencer is not enrolled in its program.' },
      503: { description: 'The enrollment or its fees kept changing; try again.' },
    },
  },
  getMyMerchantReport: {
    method: 'GET',
    path: '/v1/merchant/reports',
    auth: 'merchant',
    summary:
      "The merchant's return on each influencer: clicks, orders, revenue, commission, flat fees, spend and return on spend over days (CSV with Accept: text/csv or format=csv)",
    query: reportQuerySchema,
    responses: {
      ...keyErrors,
      200: { description: 'The report (or its CSV export).', schema: merchantReportSchema },
    },
  },
  getMyModelComparison: {
    method: 'GET',
    path: '/v1/merchant/reports/attribution-models',
    auth: 'merchant',
    summary: "The merchant's credited orders over days, credited again under each attribution model",
    query: modelComparisonQuerySchema,
    responses: {
      ...keyErrors,
      200: { description: 'One entry per attribution model.', schema: modelComparisonSchema },
    },
  },
  // The merchant's own event endpoints (CONTRACT §12): always scoped to it.
  createMyEndpoint: {
    method: 'POST',
    path: '/v1/merchant/endpoints',
    auth: 'merchant',
    summary:
      "Add an event endpoint for the merchant's events (with `influencerId`, only that enrolled influencer's); its signing secret is shown only this once",
    body: createEndpointSchema,
    responses: {
      ...keyErrors,
      201: { description: 'The endpoint and its signing secret (`whsec_…`).', schema: endpointCreatedSchema },
      400: {
        description:
          "Invalid request; a URL that is not https to a public host is `invalid_endpoint`, a `merchantId` other than the key's own `invalid_body`.",
      },
      404: { description: 'The influencer is not enrolled with the merchant.' },
      409: { description: 'At most 20 endpoints per merchant, 100 in all (`endpoint_limit`).' },
    },
  },
  listMyEndpoints: {
    method: 'GET',
    path: '/v1/merchant/endpoints',
    auth: 'merchant',
    summary: "The merchant's event endpoints (never a secret), oldest first",
    responses: {
      ...keyErrors,
      200: { description: 'Its endpoints.', schema: endpointListSchema },
    },
  },
  getMyEndpoint: {
    method: 'GET',
    path: '/v1/merchant/endpoints/{endpointId}',
    auth: 'merchant',
    summary: 'Read one of its event endpoints (never its secret)',
    params: endpointPathSchema,
    responses: {
      ...keyErrors,
      200: { description: 'The endpoint.', schema: endpointSchema },
      404: { description: 'No endpoint of its own has this id.' },
    },
  },
  deleteMyEndpoint: {
    method: 'DELETE',
    path: '/v1/merchant/endpoints/{endpointId}',
    auth: 'merchant',
    summary: 'Delete one of its event endpoints',
    params: endpointPathSchema,
    responses: {
      ...keyErrors,
      204: { description: 'Deleted.' },
      404: { description: 'No endpoint of its own has this id.' },
    },
  },
  listMyEndpointDeliveries: {
    method: 'GET',
    path: '/v1/merchant/endpoints/{endpointId}/deliveries',
    auth: 'merchant',
    summary: "One of its endpoints' delivery log, newest first, 100 a page",
    params: endpointPathSchema,
    query: deliveriesQuerySchema,
    responses: {
      ...keyErrors,
      200: { description: 'The deliveries.', schema: deliveryListSchema },
      400: { description: 'The cursor is not one this list gave.' },
      404: { description: 'No endpoint of its own has this id.' },
    },
  },
  retryMyEndpointDelivery: {
    method: 'POST',
    path: '/v1/merchant/endpoints/{endpointId}/deliveries/{eventId}/retry',
    auth: 'merchant',
    summary: 'Send an event to one of its endpoints again now',
    params: deliveryPathSchema,
    responses: {
      ...keyErrors,
      202: { description: 'Queued: the delivery is pending and due now.', schema: deliverySchema },
      404: { description: 'No endpoint of its own has this id, or no such event delivered to it.' },
    },
  },
} satisfies RouteSpecs;
