/**
 * The operator API for the catalogue (CONTRACT §3, §5). Its routes are declared in ./routes.ts; the
 * adapter has checked the admin token and validated path and body before an action runs.
 */
import { listDeliveries, retryDelivery } from '../common/actions/deliveries';
import { createEndpoint, deleteEndpoint, getEndpoint, listEndpoints } from '../common/actions/endpoints';
import {
  deleteEnrollment,
  getEnrollment,
  listEnrollments,
  putEnrollment,
} from '../common/actions/enrollments';
import { createLink, getLink, updateLink } from '../common/actions/links';
import { getOrder } from '../common/actions/orders';
import { getStorefront, putStorefront } from '../common/actions/storefronts';
import { routeHandler } from '../common/http/adapter';
import { createApiKey, deleteApiKey, listApiKeys } from './api-keys';
import { getClick } from './clicks';
import { admin } from './context';
import { createInfluencer, getInfluencer } from './influencers';
import { getLinkQr } from './link-qr';
import { createLoginLink } from './login-links';
import { createMerchant, getMerchant, rotateSecret } from './merchants';
import { adminRoutes } from './routes';

const ADMIN_SCOPE = { kind: 'admin' } as const;

export const handler = routeHandler(adminRoutes, {
  createMerchant: ({ body }) => createMerchant(body),
  getMerchant: ({ params }) => getMerchant(params.merchantId),
  rotateMerchantSecret: ({ params }) => rotateSecret(params.merchantId),
  putEnrollment: ({ params, body }) => putEnrollment(admin, params.merchantId, params.influencerId, body),
  getEnrollment: ({ params }) => getEnrollment(admin, params.merchantId, params.influencerId),
  deleteEnrollment: ({ params }) => deleteEnrollment(admin, params.merchantId, params.influencerId),
  listEnrollments: ({ params }) => listEnrollments(admin, params.merchantId),
  createInfluencer: ({ body }) => createInfluencer(body),
  getInfluencer: ({ params }) => getInfluencer(params.influencerId),
  createLink: ({ body }) => createLink(admin, body, 'enroll'),
  getLink: ({ params }) => getLink(admin, params.code),
  updateLink: ({ params, body }) => updateLink(admin, params.code, body),
  getClick: ({ params }) => getClick(params.clickId),
  getOrder: ({ params }) => getOrder(admin, params.merchantId, params.orderId),
  putStorefront: ({ params, body }) => putStorefront(admin, params.handle, body),
  getStorefront: ({ params }) => getStorefront(admin, params.handle),
  createMerchantApiKey: ({ params, body }) => createApiKey('merchant', params.merchantId, body),
  listMerchantApiKeys: ({ params }) => listApiKeys('merchant', params.merchantId),
  deleteMerchantApiKey: ({ params }) => deleteApiKey('merchant', params.merchantId, params.keyId),
  createInfluencerApiKey: ({ params, body }) => createApiKey('influencer', params.influencerId, body),
  listInfluencerApiKeys: ({ params }) => listApiKeys('influencer', params.influencerId),
  deleteInfluencerApiKey: ({ params }) => deleteApiKey('influencer', params.influencerId, params.keyId),
  getLinkQr: ({ params }) => getLinkQr(params.code),
  createLoginLink: ({ params }) => createLoginLink(params.influencerId),
  createEndpoint: ({ body }) => createEndpoint(admin, ADMIN_SCOPE, body),
  listEndpoints: () => listEndpoints(admin, ADMIN_SCOPE),
  getEndpoint: ({ params }) => getEndpoint(admin, ADMIN_SCOPE, params.endpointId),
  deleteEndpoint: ({ params }) => deleteEndpoint(admin, ADMIN_SCOPE, params.endpointId),
  listEndpointDeliveries: ({ params, query }) =>
    listDeliveries(admin, ADMIN_SCOPE, params.endpointId, query.cursor),
  retryEndpointDelivery: ({ params }) => retryDelivery(admin, ADMIN_SCOPE, params.endpointId, params.eventId),
});
