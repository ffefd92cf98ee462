import { keyErrorResponses as keyErrors, type RouteSpecs } from '../common/http/route-spec';
import { linkPathSchema, merchantSchema, secretRotatedSchema } from '../common/schemas/catalog';
import { linkListSchema, meSchema } from '../common/schemas/self-service';

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
} satisfies RouteSpecs;
