/**
 * The operator's API-key routes (CONTRACT §11): make, list and delete a merchant's or an
 * influencer's keys. A new key is returned once and stored only as its SHA-256.
 */
import { type ApiKeyKind, MAX_API_KEYS_PER_OWNER, newApiKey } from '../common/domain/api-keys';
import { generatedId } from '../common/domain/random-ids';
import { apiError, json, notFound } from '../common/http/responses';
import type { CreateApiKeyInput } from '../common/schemas/api-keys';
import { admin } from './context';

const OWNER: Record<ApiKeyKind, string> = { merchant: 'The merchant', influencer: 'The influencer' };

export async function createApiKey(kind: ApiKeyKind, ownerId: string, input: CreateApiKeyInput) {
  const createdAt = admin.now().toISOString();
  // A fresh id and key on each attempt: a collision of either is astronomically rare, not impossible.
  for (let attempt = 0; attempt < 3; attempt++) {
    const keyId = generatedId('key');
    const { apiKey, hash } = newApiKey(kind);
    const result = await admin.apiKeys.create(
      { kind, ownerId, keyId, name: input.name, hash, createdAt },
      MAX_API_KEYS_PER_OWNER,
    );
    if (result.ok) return json(201, { keyId, name: input.name, apiKey, createdAt });
    if (result.reason === 'unknown_owner') throw notFound(OWNER[kind]);
    if (result.reason === 'limit') {
      throw apiError(
        'api_key_limit',
        `${OWNER[kind]} already has ${MAX_API_KEYS_PER_OWNER} API keys; delete one before making another.`,
      );
    }
  }
  throw apiError('busy', 'Could not store a new key; try again.');
}

export async function listApiKeys(kind: ApiKeyKind, ownerId: string) {
  const owner =
    kind === 'merchant' ? await admin.merchants.get(ownerId) : await admin.influencers.get(ownerId);
  if (!owner) throw notFound(OWNER[kind]);
  const keys = await admin.apiKeys.list(kind, ownerId);
  return json(200, {
    items: keys.map((k) => ({
      keyId: k.keyId,
      name: k.name,
      createdAt: k.createdAt,
      ...(k.lastUsedAt ? { lastUsedAt: k.lastUsedAt } : {}),
    })),
  });
}

export async function deleteApiKey(kind: ApiKeyKind, ownerId: string, keyId: string) {
  if (!(await admin.apiKeys.delete(kind, ownerId, keyId))) throw notFound('The API key');
  return { statusCode: 204 };
}
