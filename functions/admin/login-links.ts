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
  const expiresAt = new Date(admin.now().getTime() + LOGIN_LINK_TTL_MS).toISOString();
  await sessions.putLogin(tokenHash(token), influencerId, expiresAt);
  return json(201, { url: `${admin.publicBaseUrl}/portal/login/${token}`, expiresAt });
}
