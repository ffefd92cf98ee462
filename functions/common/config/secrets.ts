import { secretsManager } from '../clients/aws';
import { optionalEnv, stage } from './env';
import { type SecretKey, secretSpecs } from './secret-specs';

/** How long a fetched secret is reused before it is read again (so a rotation is picked up). */
const REFRESH_MS = 5 * 60 * 1000;

/** The admin token that `npm start` prints; refused anywhere but the local runtime. */
export const DEFAULT_LOCAL_ADMIN_TOKEN = 'local-admin-token';

const cache = new Map<SecretKey, { value: Promise<string>; fetchedAt: number }>();

/**
 * A secret's value: from Secrets Manager when the function was given its ARN (AWS), otherwise from
 * the variable that carries the value itself (local runtime and tests).
 */
export function secretValue(key: SecretKey): Promise<string> {
  const hit = cache.get(key);
  if (hit && Date.now() - hit.fetchedAt < REFRESH_MS) return hit.value;
  const value = fetchSecret(key);
  cache.set(key, { value, fetchedAt: Date.now() });
  // A failed fetch must not be cached: the next request tries again.
  value.catch(() => cache.delete(key));
  return value;
}

async function fetchSecret(key: SecretKey): Promise<string> {
  const spec = secretSpecs[key];
  const secretId = optionalEnv(spec.idEnvVar);
  let value: string | undefined;
  if (secretId) {
    const { sdk, client } = await secretsManager();
    const out = await client.send(new sdk.GetSecretValueCommand({ SecretId: secretId }));
    value = out.SecretString;
  } else {
    value = optionalEnv(spec.valueEnvVar);
  }
  if (!value) throw new Error(`Configuration error: set ${spec.idEnvVar} or ${spec.valueEnvVar}.`);
  if (key === 'adminToken' && value === DEFAULT_LOCAL_ADMIN_TOKEN && stage() !== 'local') {
    throw new Error('Configuration error: the default admin token is refused outside the local runtime.');
  }
  return value;
}
