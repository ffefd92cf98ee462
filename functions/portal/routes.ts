import type { RouteSpecs } from '../common/http/route-spec';
import {
  loginTokenPathSchema,
  portalLinkPathSchema,
  portalStatementPathSchema,
} from '../common/schemas/portal';

const html = 'text/html';
const noSession = {
  401: {
    description: 'No session, or an expired one: a page that says how to get a login link.',
    contentType: html,
  },
} as const;

/**
 * The influencer portal (CONTRACT §11): HTML pages on a session cookie that a one-time login link
 * sets. Every refusal is a page, not JSON.
 */
export const portalRoutes = {
  openLoginLink: {
    method: 'GET',
    path: '/portal/login/{token}',
    auth: 'public',
    summary: 'Open a one-time login link: sets the session cookie and answers 303 to /portal',
    params: loginTokenPathSchema,
    // A token that cannot exist is as refused as a used one.
    invalidPath: 'unauthorized',
    responses: {
      303: { description: 'Signed in: the session cookie is set, and the browser goes to /portal.' },
      401: { description: 'A used, expired or unknown link: a page.', contentType: html },
    },
  },
  viewPortal: {
    method: 'GET',
    path: '/portal',
    auth: 'session',
    summary: "The influencer's dashboard (HTML)",
    responses: {
      ...noSession,
      200: { description: 'The dashboard.', contentType: html },
    },
  },
  createPortalLink: {
    method: 'POST',
    path: '/portal/links',
    auth: 'session',
    summary: 'The "new link" form (URL-encoded, with the session\'s CSRF token in `csrf`)',
    responses: {
      ...noSession,
      303: { description: 'The link is made: back to /portal, which shows it.' },
      400: {
        description: 'A field is not valid: the dashboard, with the error next to it.',
        contentType: html,
      },
      403: { description: "The form did not carry the session's CSRF token: a page.", contentType: html },
      409: { description: 'The code is taken: the dashboard, with the error next to it.', contentType: html },
    },
  },
  signOut: {
    method: 'POST',
    path: '/portal/logout',
    auth: 'session',
    summary: "Sign out: ends the session (URL-encoded, with the session's CSRF token in `csrf`)",
    responses: {
      ...noSession,
      200: {
        description: 'Signed out: the session is ended and its cookie cleared; a page.',
        contentType: html,
      },
      403: { description: "The form did not carry the session's CSRF token: a page.", contentType: html },
    },
  },
  portalLinkQr: {
    method: 'GET',
    path: '/portal/links/{code}/qr.svg',
    auth: 'session',
    summary: "A QR code (SVG) of one of the influencer's links",
    params: portalLinkPathSchema,
    invalidPath: 'not_found',
    responses: {
      ...noSession,
      200: { description: 'The QR code of the short URL.', contentType: 'image/svg+xml' },
      404: { description: 'No such link of this influencer: a page.', contentType: html },
    },
  },
  portalStatement: {
    method: 'GET',
    path: '/portal/payouts/{period}/statement.csv',
    auth: 'session',
    summary: "The CSV statement of one of the influencer's payouts",
    params: portalStatementPathSchema,
    invalidPath: 'not_found',
    responses: {
      ...noSession,
      200: { description: 'The statement.', contentType: 'text/csv' },
      404: { description: 'No payable payout of this influencer in that period: a page.', contentType: html },
      503: { description: 'The statement is still being prepared; try again shortly.' },
    },
  },
} satisfies RouteSpecs;
