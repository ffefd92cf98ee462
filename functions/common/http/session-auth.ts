/**
 * The influencer portal's sessions (CONTRACT §11), for the adapter: the session cookie is looked up
 * by its hash on every request (one GetItem, no cache, so a session never outlives its expiry on a
 * warm instance), and a form post must carry the session's CSRF token.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { looksLikeToken, SESSION_COOKIE, sameToken, tokenHash } from '../domain/portal-tokens';
import type { PortalSession, PortalSessionRepo } from '../repos/portal-sessions';
import { cookie, rawBody } from './request';

export const CSRF_FIELD = 'csrf';

export function sessionVerifier({
  repo,
  now = () => new Date(),
}: {
  repo: Pick<PortalSessionRepo, 'session'>;
  now?: () => Date;
}) {
  return {
    async verify(event: APIGatewayProxyEventV2): Promise<PortalSession | undefined> {
      const presented = cookie(event, SESSION_COOKIE);
      if (!looksLikeToken(presented)) return undefined;
      return repo.session(tokenHash(presented), now());
    },
  };
}
export type SessionVerifier = ReturnType<typeof sessionVerifier>;

/** Whether a form post carries the session's CSRF token (field `csrf` of a URL-encoded body). */
export function carriesCsrfToken(event: APIGatewayProxyEventV2, session: PortalSession): boolean {
  const presented = new URLSearchParams(rawBody(event).toString('utf8')).get(CSRF_FIELD) ?? undefined;
  return sameToken(presented, session.csrfToken);
}
