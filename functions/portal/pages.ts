/** The portal's HTML answers: every one private, never stored, under the portal's strict CSP. */
import { PORTAL_CSP, renderPortalMessagePage } from '../common/domain/portal-page';
import type { HttpError } from '../common/http/errors';
import type { HttpResult } from '../common/http/responses';

export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': PORTAL_CSP,
  'cache-control': 'private, no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export const htmlPage = (statusCode: number, body: string): HttpResult => ({
  statusCode,
  headers: PAGE_HEADERS,
  body,
});

const SIGN_IN_HELP =
  'Ask your program manager for a login link: it opens the portal once and is valid for 15 minutes. A session lasts 12 hours.';

/** Every refusal of a portal route as a page of its own (the adapter's errors, drawn as HTML). */
export function errorPage(err: HttpError): HttpResult {
  switch (err.code) {
    case 'unauthorized':
      return htmlPage(401, renderPortalMessagePage('Please sign in', `${err.message} ${SIGN_IN_HELP}`));
    case 'forbidden':
      return htmlPage(403, renderPortalMessagePage('Not allowed', err.message));
    case 'not_found':
      return htmlPage(404, renderPortalMessagePage('Not found', err.message));
    default:
      return htmlPage(err.statusCode, renderPortalMessagePage('Something went wrong', err.message));
  }
}
