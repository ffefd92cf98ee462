/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles (see ./settings.ts).
 *
 * Every SDK client imports that package for its default credential chain: environment, SSO, shared
 * ini files, credential_process, web identity token file, then the container and instance metadata
 * services. Lambda always puts the function role's credentials in the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) before the module loads, so only the
 * first link can ever answer there; the others, and the STS/SSO clients they carry, are code every
 * cold start would parse for nothing. Local runs execute the sources under tsx, not the bundles, and
 * keep the SDK's full chain.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

type Init = Parameters<typeof fromEnv>[0];
type CredentialProvider = ReturnType<typeof fromEnv>;
type Credentials = Awaited<ReturnType<CredentialProvider>>;

/** The SDK's own rule: credentials with an expiry are refreshed five minutes before it. */
const REFRESH_MARGIN_MS = 300_000;

/**
 * The client's credential provider: the environment's credentials, read once and kept. A missing
 * variable fails the first signed call with the SDK's own CredentialsProviderError, as the full
 * chain would after finding nothing.
 */
export const defaultProvider = (init: Init = {}): CredentialProvider => {
  const fromEnvironment = fromEnv(init);
  let credentials: Promise<Credentials> | undefined;
  return () => {
    credentials ??= fromEnvironment().catch((err: unknown) => {
      // Not kept: a later call may find the variables set.
      credentials = undefined;
      throw err;
    });
    return credentials;
  };
};

/** Exported under the names the replaced package exports, for any importer of them. */
export const credentialsWillNeedRefresh = (credentials?: Credentials): boolean =>
  credentials?.expiration !== undefined;

export const credentialsTreatedAsExpired = (credentials?: Credentials): boolean =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < REFRESH_MARGIN_MS;
