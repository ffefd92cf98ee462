/**
 * The influencer portal (CONTRACT §11): server-rendered pages on a session cookie. The adapter has
 * checked the session (and the CSRF token of a form post) before an action runs; each action gets
 * the session's influencer, never one from the request. Refusals are pages (./pages.ts).
 */

import { payoutStatement } from '../common/actions/statements';
import { ID_PATTERN } from '../common/domain/ids';
import { routeHandler } from '../common/http/adapter';
import { qrSvgResponse } from '../common/http/qr-svg';
import { notFound } from '../common/http/responses';
import { portal } from './context';
import { dashboardPage } from './dashboard';
import { createPortalLink } from './links';
import { openLoginLink, signOut } from './login';
import { errorPage, htmlPage } from './pages';
import { portalRoutes } from './routes';

export const handler = routeHandler(
  portalRoutes,
  {
    openLoginLink: ({ params }) => openLoginLink(params.token),
    viewPortal: async ({ principal, event }) => {
      const created = event.queryStringParameters?.created;
      const notice = created && ID_PATTERN.test(created) ? `Your new link ${created} is ready.` : undefined;
      return htmlPage(
        200,
        await dashboardPage(principal.influencerId, principal.csrfToken, undefined, notice),
      );
    },
    createPortalLink: ({ principal, rawBody }) =>
      createPortalLink(principal.influencerId, principal.csrfToken, rawBody),
    signOut: ({ event }) => signOut(event),
    portalLinkQr: async ({ principal, params }) => {
      const link = await portal.links.get(params.code);
      // Another influencer's link is as unknown as one that does not exist.
      if (!link || link.influencerId !== principal.influencerId) throw notFound('The link');
      return qrSvgResponse(`${portal.publicBaseUrl}/${link.code}`);
    },
    portalStatement: ({ principal, params }) =>
      payoutStatement(portal, principal.influencerId, params.period),
  },
  { renderError: errorPage },
);
