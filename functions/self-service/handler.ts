/**
 * Merchants and influencers on their own API keys (CONTRACT §11). The adapter has verified the key
 * and its kind; each action gets its owner's id from the key, never from the request.
 */
import { routeHandler } from '../common/http/adapter';
import { getMe, getMyLinkQr, listMyLinks } from './me';
import { getMyMerchant, rotateMyWebhookSecret } from './merchant';
import { selfServiceRoutes } from './routes';

export const handler = routeHandler(selfServiceRoutes, {
  getMe: ({ principal }) => getMe(principal.influencerId),
  listMyLinks: ({ principal }) => listMyLinks(principal.influencerId),
  getMyMerchant: ({ principal }) => getMyMerchant(principal.merchantId),
  rotateMyWebhookSecret: ({ principal }) => rotateMyWebhookSecret(principal.merchantId),
  getMyLinkQr: ({ principal, params }) => getMyLinkQr(principal.influencerId, params.code),
});
