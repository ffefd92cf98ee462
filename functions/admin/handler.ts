/**
 * The operator API for the catalogue (CONTRACT §3, §5). Its routes are declared in ./routes.ts; the
 * adapter has checked the admin token and validated path and body before an action runs.
 */
import { routeHandler } from '../common/http/adapter';
import { createApiKey, deleteApiKey, listApiKeys } from './api-keys';
import { getClick } from './clicks';
import { deleteEnrollment, getEnrollment, listEnrollments, putEnrollment } from './enrollments';
import { createInfluencer, getInfluencer } from './influencers';
import { getLinkQr } from './link-qr';
import { createLink, getLink, updateLink } from './links';
import { createLoginLink } from './login-links';
import { createMerchant, getMerchant, rotateSecret } from './merchants';
import { getOrder } from './orders';
import { adminRoutes } from './routes';
import { getStorefront, putStorefront } from './storefronts';

export const handler = routeHandler(adminRoutes, {
  createMerchant: ({ body }) => createMerchant(body),
  getMerchant: ({ params }) => getMerchant(params.merchantId),
  rotateMerchantSecret: ({ params }) => rotateSecret(params.merchantId),
  putEnrollment: ({ params, body }) => putEnrollment(params.merchantId, params.influencerId, body),
  getEnrollment: ({ params }) => getEnrollment(params.merchantId, params.influencerId),
  deleteEnrollment: ({ params }) => deleteEnrollment(params.merchantId, params.influencerId),
  listEnrollments: ({ params }) => listEnrollments(params.merchantId),
  createInfluencer: ({ body }) => createInfluencer(body),
  getInfluencer: ({ params }) => getInfluencer(params.influencerId),
  createLink: ({ body }) => createLink(body),
  getLink: ({ params }) => getLink(params.code),
  updateLink: ({ params, body }) => updateLink(params.code, body),
  getClick: ({ params }) => getClick(params.clickId),
  getOrder: ({ params }) => getOrder(params.merchantId, params.orderId),
  putStorefront: ({ params, body }) => putStorefront(params.handle, body),
  getStorefront: ({ params }) => getStorefront(params.handle),
  createMerchantApiKey: ({ params, body }) => createApiKey('merchant', params.merchantId, body),
  listMerchantApiKeys: ({ params }) => listApiKeys('merchant', params.merchantId),
  deleteMerchantApiKey: ({ params }) => deleteApiKey('merchant', params.merchantId, params.keyId),
  createInfluencerApiKey: ({ params, body }) => createApiKey('influencer', params.influencerId, body),
  listInfluencerApiKeys: ({ params }) => listApiKeys('influencer', params.influencerId),
  deleteInfluencerApiKey: ({ params }) => deleteApiKey('influencer', params.influencerId, params.keyId),
  getLinkQr: ({ params }) => getLinkQr(params.code),
  createLoginLink: ({ params }) => createLoginLink(params.influencerId),
});
