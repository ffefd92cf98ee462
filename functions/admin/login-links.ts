/** One-time portal login links, made by the operator for an influencer (CONTRACT §11). */
import { requireEnv } from '../common/config/env';
import { LOGIN_LINK_TTL_MS, newSecretToken, tokenHash } from '../common/domain/portal-tokens';
import { json, notFound } from '../common/http/responses';
import { portalSessionRepo } from '../common/repos/portal-sessions';
import { admin } from './context';

const sessions = portalSessionRepo(requireEnv('CONFIG_TABLE_NAME'));

/** The token is in the URL only: what is stored is its hash, so the table cannot open a session. */
export async function createLoginLink(influencerId: string) {
  if (!(await admin.influencers.get(influencerId))) throw notFound('The influencer');
  const token = newSecretToken();
  // On a whole second: the stored expiry is in seconds (the table's TTL unit), and the answer
  // must name exactly the instant the link stops opening.
  const expiresAt = new Date(Math.ceil((admin.now().getTime() + LOGIN_LINK_TTL_MS) / 1000) * 1000);
  await sessions.putLogin(tokenHash(token), influencerId, expiresAt);
  return json(201, {
    url: `${admin.publicBaseUrl}/portal/login/${token}`,
    expiresAt: expiresAt.toISOString(),
  });
}
