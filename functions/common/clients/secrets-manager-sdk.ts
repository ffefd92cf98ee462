/**
 * The parts of the Secrets Manager SDK that the secret cache uses, imported by ./aws.ts at the
 * first secret read. Named imports let the bundler keep only these and what they need; a dynamic
 * import of the package itself would keep all of it.
 */
export { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
