import { adminErrorResponses as adminErrors, type RouteSpecs } from '../common/http/route-spec';
import {
  apiKeyCreatedSchema,
  apiKeyListSchema,
  createApiKeySchema,
  influencerKeyPathSchema,
  merchantKeyPathSchema,
} from '../common/schemas/api-keys';
import {
  createInfluencerSchema,
  createLinkSchema,
  createMerchantSchema,
  influencerPathSchema,
  influencerSchema,
  linkPathSchema,
  linkSchema,
  merchantCreatedSchema,
  merchantPathSchema,
  merchantSchema,
  secretRotatedSchema,
  updateLinkSchema,
} from '../common/schemas/catalog';
import { clickPathSchema, clickViewSchema } from '../common/schemas/clicks';
import {
  createEndpointSchema,
  endpointCreatedSchema,
  endpointListSchema,
  endpointPathSchema,
  endpointSchema,
} from '../common/schemas/endpoints';
import { orderPathSchema, orderViewSchema } from '../common/schemas/orders';
import { loginLinkSchema } from '../common/schemas/portal';
import {
  enrollmentListSchema,
  enrollmentPathSchema,
  enrollmentSchema,
  putEnrollmentSchema,
} from '../common/schemas/programs';
import { putStorefrontSchema, storefrontPathSchema, storefrontSchema } from '../common/schemas/storefronts';

/** The operator API for the catalogue (CONTRACT §3, §5): merchants, influencers, links, clicks, orders, storefronts. */
export const adminRoutes = {
  createMerchant: {
    method: 'POST',
    path: '/admin/merchants',
    auth: 'admin',
    summary: 'Create a merchant and its first webhook secret',
    body: createMerchantSchema,
    responses: {
      ...adminErrors,
      201: {
        description: 'The merchant; `webhookSecret` is shown only this once.',
        schema: merchantCreatedSchema,
      },
      409: { description: 'The merchant id is taken.' },
    },
  },
  getMerchant: {
    method: 'GET',
    path: '/admin/merchants/{merchantId}',
    auth: 'admin',
    summary: 'Read a merchant (without its secrets)',
    params: merchantPathSchema,
    responses: {
      ...adminErrors,
      200: { description: 'The merchant.', schema: merchantSchema },
      404: { description: 'Unknown merchant.' },
    },
  },
  rotateMerchantSecret: {
    method: 'POST',
    path: '/admin/merchants/{merchantId}/secrets',
    auth: 'admin',
    summary: 'Rotate the webhook secret (the previous ones keep working for 24 hours)',
    params: merchantPathSchema,
    responses: {
      ...adminErrors,
      201: { description: 'The new secret, shown only this once.', schema: secretRotatedSchema },
      404: { description: 'Unknown merchant.' },
      503: { description: 'The merchant was changed concurrently; try again.' },
    },
  },
  putEnrollment: {
    method: 'PUT',
    path: '/admin/merchants/{merchantId}/influencers/{influencerId}',
    auth: 'admin',
    summary: "Enroll an influencer in the merchant's program on its terms, or replace its terms",
    params: enrollmentPathSchema,
    body: putEnrollmentSchema,
    responses: {
      ...adminErrors,
      200: { description: 'The enrollment.', schema: enrollmentSchema },
      404: { description: 'Unknown merchant or influencer.' },
      409: { description: 'A fee already paid is missing from the list or changed (`fee_paid`).' },
      503: { description: 'The enrollment or its fees kept changing; try again.' },
    },
  },
  getEnrollment: {
    method: 'GET',
    path: '/admin/merchants/{merchantId}/influencers/{influencerId}',
    auth: 'admin',
    summary: 'Read an enrollment and its terms',
    params: enrollmentPathSchema,
    responses: {
      ...adminErrors,
      200: { description: 'The enrollment.', schema: enrollmentSchema },
      404: { description: 'The influencer is not enrolled with this merchant.' },
    },
  },
  deleteEnrollment: {
    method: 'DELETE',
    path: '/admin/merchants/{merchantId}/influencers/{influencerId}',
    auth: 'admin',
    summary: "End an enrollment (the influencer's existing links keep working)",
    params: enrollmentPathSchema,
    responses: {
      ...adminErrors,
      204: { description: 'Ended; its unpaid fees are no longer owed (paid ones stay).' },
      404: { description: 'The influencer is not enrolled with this merchant.' },
      503: { description: 'The enrollment or its fees kept changing; try again.' },
    },
  },
  listEnrollments: {
    method: 'GET',
    path: '/admin/merchants/{merchantId}/influencers',
    auth: 'admin',
    summary: "The merchant's program: every enrolled influencer and its terms",
    params: merchantPathSchema,
    responses: {
      ...adminErrors,
      200: { description: 'The enrollments, by influencer id.', schema: enrollmentListSchema },
      404: { description: 'Unknown merchant.' },
    },
  },
  createInfluencer: {
    method: 'POST',
    path: '/admin/influencers',
    auth: 'admin',
    summary: 'Create an influencer with optional coupon codes',
    body: createInfluencerSchema,
    responses: {
      ...adminErrors,
      201: { description: 'The influencer.', schema: influencerSchema },
      409: { description: 'The influencer id, handle or a coupon code is taken.' },
    },
  },
  getInfluencer: {
    method: 'GET',
    path: '/admin/influencers/{influencerId}',
    auth: 'admin',
    summary: 'Read an influencer',
    params: influencerPathSchema,
    responses: {
      ...adminErrors,
      200: { description: 'The influencer.', schema: influencerSchema },
      404: { description: 'Unknown influencer.' },
    },
  },
  createLink: {
    method: 'POST',
    path: '/admin/links',
    auth: 'admin',
    summary: 'Create a short link',
    body: createLinkSchema,
    responses: {
      ...adminErrors,
      201: { description: 'The link with its short URL.', schema: linkSchema },
      404: { description: 'Unknown influencer or merchant.' },
      409: { description: 'The code is taken.' },
    },
  },
  getLink: {
    method: 'GET',
    path: '/admin/links/{code}',
    auth: 'admin',
    summary: 'Read a link',
    params: linkPathSchema,
    responses: {
      ...adminErrors,
      200: { description: 'The link.', schema: linkSchema },
      404: { description: 'Unknown code.' },
    },
  },
  updateLink: {
    method: 'PATCH',
    path: '/admin/links/{code}',
    auth: 'admin',
    summary: 'Disable or enable a link (takes effect within 5 seconds)',
    params: linkPathSchema,
    body: updateLinkSchema,
    responses: {
      ...adminErrors,
      200: { description: 'The link.', schema: linkSchema },
      404: { description: 'Unknown code.' },
    },
  },
  getClick: {
    method: 'GET',
    path: '/admin/clicks/{clickId}',
    auth: 'admin',
    summary: 'Read a click record, with its duplicate flag',
    params: clickPathSchema,
    responses: {
      ...adminErrors,
      200: { description: 'The click.', schema: clickViewSchema },
      404: { description: 'Unknown click.' },
    },
  },
  getOrder: {
    method: 'GET',
    path: '/admin/orders/{merchantId}/{orderId}',
    auth: 'admin',
    summary: 'An order as credited, with the evidence for each attribution',
    params: orderPathSchema,
    responses: {
      ...adminErrors,
      200: { description: 'The order.', schema: orderViewSchema },
      404: { description: 'No order.created was ever accepted for this order.' },
    },
  },
  putStorefront: {
    method: 'PUT',
    path: '/admin/storefronts/{handle}',
    auth: 'admin',
    summary: "Create or replace a storefront (at most 100 items, each one of the influencer's links)",
    params: storefrontPathSchema,
    body: putStorefrontSchema,
    responses: {
      ...adminErrors,
      200: { description: 'The storefront with its public URL.', schema: storefrontSchema },
      404: { description: 'Unknown influencer.' },
      409: { description: 'The handle belongs to another influencer.' },
    },
  },
  getStorefront: {
    method: 'GET',
    path: '/admin/storefronts/{handle}',
    auth: 'admin',
    summary: 'Read a storefront',
    params: storefrontPathSchema,
    responses: {
      ...adminErrors,
      200: { description: 'The storefront.', schema: storefrontSchema },
      404: { description: 'Unknown handle.' },
    },
  },
  createMerchantApiKey: {
    method: 'POST',
    path: '/admin/merchants/{merchantId}/api-keys',
    auth: 'admin',
    summary: 'Make an API key for the merchant (`clk_m_…`, shown only this once; at most 20 per merchant)',
    params: merchantPathSchema,
    body: createApiKeySchema,
    responses: {
      ...adminErrors,
      201: { description: 'The key, shown only this once.', schema: apiKeyCreatedSchema },
      404: { description: 'Unknown merchant.' },
      409: { description: 'The merchant already has 20 keys (`api_key_limit`).' },
    },
  },
  listMerchantApiKeys: {
    method: 'GET',
    path: '/admin/merchants/{merchantId}/api-keys',
    auth: 'admin',
    summary: "The merchant's API keys (never the keys themselves)",
    params: merchantPathSchema,
    responses: {
      ...adminErrors,
      200: { description: 'The keys, by key id.', schema: apiKeyListSchema },
      404: { description: 'Unknown merchant.' },
    },
  },
  deleteMerchantApiKey: {
    method: 'DELETE',
    path: '/admin/merchants/{merchantId}/api-keys/{keyId}',
    auth: 'admin',
    summary: 'Delete an API key (refused everywhere within 5 seconds)',
    params: merchantKeyPathSchema,
    responses: {
      ...adminErrors,
      204: { description: 'Deleted.' },
      404: { description: 'The merchant has no such key.' },
    },
  },
  createInfluencerApiKey: {
    method: 'POST',
    path: '/admin/influencers/{influencerId}/api-keys',
    auth: 'admin',
    summary:
      'Make an API key for the influencer (`clk_i_…`, shown only this once; at most 20 per influencer)',
    params: influencerPathSchema,
    body: createApiKeySchema,
    responses: {
      ...adminErrors,
      201: { description: 'The key, shown only this once.', schema: apiKeyCreatedSchema },
      404: { description: 'Unknown influencer.' },
      409: { description: 'The influencer already has 20 keys (`api_key_limit`).' },
    },
  },
  listInfluencerApiKeys: {
    method: 'GET',
    path: '/admin/influencers/{influencerId}/api-keys',
    auth: 'admin',
    summary: "The influencer's API keys (never the keys themselves)",
    params: influencerPathSchema,
    responses: {
      ...adminErrors,
      200: { description: 'The keys, by key id.', schema: apiKeyListSchema },
      404: { description: 'Unknown influencer.' },
    },
  },
  deleteInfluencerApiKey: {
    method: 'DELETE',
    path: '/admin/influencers/{influencerId}/api-keys/{keyId}',
    auth: 'admin',
    summary: 'Delete an API key (refused everywhere within 5 seconds)',
    params: influencerKeyPathSchema,
    responses: {
      ...adminErrors,
      204: { description: 'Deleted.' },
      404: { description: 'The influencer has no such key.' },
    },
  },
  // The portal's login links and links' QR codes.
  getLinkQr: {
    method: 'GET',
    path: '/admin/links/{code}/qr.svg',
    auth: 'admin',
    summary: "A QR code (SVG) of a link's short URL",
    params: linkPathSchema,
    responses: {
      ...adminErrors,
      200: { description: 'The QR code of the short URL.', contentType: 'image/svg+xml' },
      404: { description: 'Unknown code.' },
    },
  },
  createLoginLink: {
    method: 'POST',
    path: '/admin/influencers/{influencerId}/login-links',
    auth: 'admin',
    summary: "A one-time link into the influencer's portal, valid 15 minutes",
    params: influencerPathSchema,
    responses: {
      ...adminErrors,
      201: { description: 'The link and when it expires.', schema: loginLinkSchema },
      404: { description: 'Unknown influencer.' },
    },
  },
  // Event endpoints (CONTRACT §12).
  createEndpoint: {
    method: 'POST',
    path: '/admin/endpoints',
    auth: 'admin',
    summary:
      "Add an event endpoint: all events, or only a merchant's, an influencer's, or (both given) that pair's; its signing secret is shown only this once",
    body: createEndpointSchema,
    responses: {
      ...adminErrors,
      201: { description: 'The endpoint and its signing secret (`whsec_…`).', schema: endpointCreatedSchema },
      400: {
        description:
          'Invalid request; a URL that is not https to a public host is `invalid_endpoint`. `issues` says where.',
      },
      404: { description: 'Unknown merchant or influencer.' },
      409: { description: 'At most 20 endpoints per merchant or influencer, 100 in all (`endpoint_limit`).' },
    },
  },
  listEndpoints: {
    method: 'GET',
    path: '/admin/endpoints',
    auth: 'admin',
    summary: 'Every event endpoint (never a secret), oldest first',
    responses: {
      ...adminErrors,
      200: { description: 'The endpoints.', schema: endpointListSchema },
    },
  },
  getEndpoint: {
    method: 'GET',
    path: '/admin/endpoints/{endpointId}',
    auth: 'admin',
    summary: 'Read an event endpoint (never its secret)',
    params: endpointPathSchema,
    responses: {
      ...adminErrors,
      200: { description: 'The endpoint.', schema: endpointSchema },
      404: { description: 'Unknown endpoint.' },
    },
  },
  deleteEndpoint: {
    method: 'DELETE',
    path: '/admin/endpoints/{endpointId}',
    auth: 'admin',
    summary: 'Delete an event endpoint',
    params: endpointPathSchema,
    responses: {
      ...adminErrors,
      204: { description: 'Deleted.' },
      404: { description: 'Unknown endpoint.' },
    },
  },
} satisfies RouteSpecs;
