/** Opening a one-time login link (CONTRACT §11): it is used up, and a 12-hour session begins. */
import {
  looksLikeToken,
  newSecretToken,
  SESSION_TTL_MS,
  sessionCookie,
  tokenHash,
} from '../common/domain/portal-tokens';
import { apiError, type HttpResult } from '../common/http/responses';
import { portal } from './context';

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
