/**
 * Merchants and influencers on their own API keys (CONTRACT §11). The adapter has verified the key
 * and its kind; each action gets its owner's id from the key, never from the request, and reuses
 * the operator's code with that id, so a party sees exactly what the operator would of it.
 */
import { attributionModelComparison } from '../common/actions/attribution-models';
import { listDeliveries, retryDelivery } from '../common/actions/deliveries';
import { createEndpoint, deleteEndpoint, getEndpoint, listEndpoints } from '../common/actions/endpoints';
import {
  deleteEnrollment,
  getEnrollment,
  listEnrollments,
  putEnrollment,
} from '../common/actions/enrollments';
import { createLink, updateLink } from '../common/actions/links';
import { getOrder } from '../common/actions/orders';
import { influencerReport, merchantReport } from '../common/actions/reports';
import { payoutStatement } from '../common/actions/statements';
import { getStorefront, putStorefront } from '../common/actions/storefronts';
import { routeHandler } from '../common/http/adapter';
import { selfService } from './context';
import { listMyCredits } from './credits';
import { getMe, getMyLinkQr, listMyLinks, listMyPayouts } from './me';
import { getMyMerchant, rotateMyWebhookSecret } from './merchant';
import { selfServiceRoutes } from './routes';

const merchantScope = (principal: { merchantId: string }) =>
  ({ kind: 'merchant', merchantId: principal.merchantId }) as const;

export const handler = routeHandler(selfServiceRoutes, {
  getMe: ({ principal }) => getMe(principal.influencerId),
  listMyLinks: ({ principal }) => listMyLinks(principal.influencerId),
  // Only for merchants it is enrolled with: unlike the operator's link, it does not enroll.
  createMyLink: ({ principal, body }) =>
    createLink(selfService, { ...body, influencerId: principal.influencerId }, 'enrolled'),
  updateMyLink: ({ principal, params, body }) =>
    updateLink(selfService, params.code, body, principal.influencerId),
  getMyReport: ({ principal, query, event }) =>
    influencerReport(selfService, principal.influencerId, query, event),
  listMyCredits: ({ principal, query }) => listMyCredits(principal.influencerId, query),
  listMyPayouts: ({ principal }) => listMyPayouts(principal.influencerId),
  getMyStatement: ({ principal, params }) =>
    payoutStatement(selfService, principal.influencerId, params.period),
  putMyStorefront: ({ principal, params, body }) =>
    putStorefront(selfService, params.handle, { ...body, influencerId: principal.influencerId }),
  getMyStorefront: ({ principal, params }) =>
    getStorefront(selfService, params.handle, principal.influencerId),
  getMyMerchant: ({ principal }) => getMyMerchant(principal.merchantId),
  rotateMyWebhookSecret: ({ principal }) => rotateMyWebhookSecret(principal.merchantId),
  getMyLinkQr: ({ principal, params }) => getMyLinkQr(principal.influencerId, params.code),
  getMyOrder: ({ principal, params }) => getOrder(selfService, principal.merchantId, params.orderId),
  listMyInfluencers: ({ principal }) => listEnrollments(selfService, principal.merchantId),
  putMyInfluencer: ({ principal, params, body }) =>
    putEnrollment(selfService, principal.merchantId, params.influencerId, body),
  getMyInfluencer: ({ principal, params }) =>
    getEnrollment(selfService, principal.merchantId, params.influencerId),
  deleteMyInfluencer: ({ principal, params }) =>
    deleteEnrollment(selfService, principal.merchantId, params.influencerId),
  getMyMerchantReport: ({ principal, query, event }) =>
    merchantReport(selfService, principal.merchantId, query, event),
  getMyModelComparison: ({ principal, query }) =>
    attributionModelComparison(selfService, principal.merchantId, query),
  createMyEndpoint: ({ principal, body }) => createEndpoint(selfService, merchantScope(principal), body),
  listMyEndpoints: ({ principal }) => listEndpoints(selfService, merchantScope(principal)),
  getMyEndpoint: ({ principal, params }) =>
    getEndpoint(selfService, merchantScope(principal), params.endpointId),
  deleteMyEndpoint: ({ principal, params }) =>
    deleteEndpoint(selfService, merchantScope(principal), params.endpointId),
  listMyEndpointDeliveries: ({ principal, params, query }) =>
    listDeliveries(selfService, merchantScope(principal), params.endpointId, query.cursor),
  retryMyEndpointDelivery: ({ principal, params }) =>
    retryDelivery(selfService, merchantScope(principal), params.endpointId, params.eventId),
});
