import { adminErrorResponses as adminErrors, type RouteSpecs } from '../common/http/route-spec';
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
import { orderPathSchema, orderViewSchema } from '../common/schemas/orders';
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
      204: { description: 'Ended.' },
      404: { description: 'The influencer is not enrolled with this merchant.' },
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
} satisfies RouteSpecs;
