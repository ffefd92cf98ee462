/**
 * Opening a one-time login link (CONTRACT §11): it is used up, and a 12-hour session begins.
 * Signing out ends it before then.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { renderPortalMessagePage } from '../common/domain/portal-page';
import {
  clearedSessionCookie,
  looksLikeToken,
  newSecretToken,
  SESSION_COOKIE,
  SESSION_TTL_MS,
  sessionCookie,
  tokenHash,
} from '../common/domain/portal-tokens';
import { cookie } from '../common/http/request';
import { apiError, type HttpResult } from '../common/http/responses';
import { portal } from './context';
import { htmlPage } from './pages';

const REFUSED = 'This login link has been used, has expired, or does not exist.';

export async function openLoginLink(token: string): Promise<HttpResult> {
  if (!looksLikeToken(token)) throw apiError('unauthorized', REFUSED);
  const now = portal.now();
  // One conditional delete: of two concurrent opens, one gets the influencer and the other nothing.
  const influencerId = await portal.sessions.consumeLogin(tokenHash(token), now);
  if (!influencerId) throw apiError('unauthorized', REFUSED);
  const sessionId = newSecretToken();
  await portal.sessions.putSession(tokenHash(sessionId), {
    influencerId,
    expiresAt: new Date(now.getTime() + SESSION_TTL_MS),
    csrfToken: newSecretToken(),
  });
  return {
    statusCode: 303,
    headers: { location: '/portal', 'cache-control': 'private, no-store', 'referrer-policy': 'no-referrer' },
    cookies: [sessionCookie(sessionId)],
    body: '',
  };
}

/**
 * Ends the session whose cookie came with the request (the adapter has checked it and the form's
 * CSRF token), so the cookie opens nothing even if the browser kept a copy.
 */
export async function signOut(event: APIGatewayProxyEventV2): Promise<HttpResult> {
  const presented = cookie(event, SESSION_COOKIE);
  if (looksLikeToken(presented)) await portal.sessions.deleteSession(tokenHash(presented));
  const page = htmlPage(
    200,
    renderPortalMessagePage(
      'Signed out',
      'You are signed out of the portal. To come back, ask your program manager for a new login link.',
    ),
  );
  return { ...page, cookies: [clearedSessionCookie()] };
}
