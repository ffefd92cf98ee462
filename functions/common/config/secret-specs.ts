/** Secrets that AWS keeps in Secrets Manager; locally the runtime passes the value itself. */
export const secretSpecs = {
  adminToken: {
    id: 'AdminTokenSecret',
    description: 'Bearer token for the /admin routes.',
    /** Holds the secret's ARN in AWS. */
    idEnvVar: 'ADMIN_TOKEN_SECRET_ID',
    /** Holds the value itself where there is no Secrets Manager (local runtime, tests). */
    valueEnvVar: 'ADMIN_TOKEN',
  },
  masterKey: {
    id: 'MasterKeySecret',
    description: 'Key material from which the IP-hash key and the webhook-secret encryption key are derived.',
    idEnvVar: 'MASTER_KEY_SECRET_ID',
    valueEnvVar: 'MASTER_KEY',
  },
} as const;
export type SecretKey = keyof typeof secretSpecs;
