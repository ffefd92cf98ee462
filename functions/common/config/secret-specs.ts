/**
 * Secrets that AWS keeps in Secrets Manager; locally the runtime passes the value itself. Each key
 * has one purpose and is granted only to the functions that need it (lib/wiring.ts `secrets`): the
 * redirect can hash IPs but cannot unseal a merchant's webhook secret.
 */
export const secretSpecs = {
  adminToken: {
    id: 'AdminTokenSecret',
    description: 'Bearer token for the /admin routes.',
    /** Holds the secret's ARN in AWS. */
    idEnvVar: 'ADMIN_TOKEN_SECRET_ID',
    /** Holds the value itself where there is no Secrets Manager (local runtime, tests). */
    valueEnvVar: 'ADMIN_TOKEN',
  },
  ipHashKey: {
    id: 'IpHashKeySecret',
    description: "256-bit key (64 hex digits) of the keyed hash of a shopper's IP address.",
    idEnvVar: 'IP_HASH_KEY_SECRET_ID',
    valueEnvVar: 'IP_HASH_KEY',
  },
  webhookSealKey: {
    id: 'WebhookSealKeySecret',
    description: "256-bit key (64 hex digits) that seals merchants' webhook secrets at rest (AES-256-GCM).",
    idEnvVar: 'WEBHOOK_SEAL_KEY_SECRET_ID',
    valueEnvVar: 'WEBHOOK_SEAL_KEY',
  },
} as const;
export type SecretKey = keyof typeof secretSpecs;
