/**
 * For integration tests: tables of their own (a unique prefix per test file, so files run in
 * parallel) on the shared stand-ins, and the environment every handler reads, set before the
 * handler modules are imported.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localBucketEnv } from '../../lib/local/runtime';
import { provisionLocal, storesEnv } from '../../lib/local/stores';

export const TEST_ADMIN_TOKEN = 'test-admin-token';

export async function useTestStores(
  name: string,
  extraEnv: Record<string, string> = {},
  queueOverrides: { visibilityTimeoutSeconds?: number } = {},
) {
  const dynamoEndpoint = process.env.TEST_DYNAMO_ENDPOINT;
  const sqsEndpoint = process.env.TEST_SQS_ENDPOINT;
  if (!dynamoEndpoint || !sqsEndpoint)
    throw new Error('Run integration tests through Jest (global setup starts the stores).');
  const prefix = `${name}-${randomBytes(4).toString('hex')}`;
  const provisioned = await provisionLocal({ dynamoEndpoint, sqsEndpoint }, prefix, queueOverrides);
  Object.assign(process.env, storesEnv({ dynamoEndpoint, sqsEndpoint }, provisioned), {
    CREDITLINK_STAGE: 'local',
    PUBLIC_BASE_URL: 'https://go.example.test',
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    IP_HASH_KEY: randomBytes(32).toString('hex'),
    WEBHOOK_SEAL_KEY: randomBytes(32).toString('hex'),
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    // Metric lines (EMF) would fill the test output; test/integration/observability.test.ts turns them on.
    POWERTOOLS_METRICS_DISABLED: 'true',
    ...localBucketEnv(mkdtempSync(join(tmpdir(), `creditlink-${name}-`))),
    ...extraEnv,
  });
  return { prefix, ...provisioned, dynamoEndpoint, sqsEndpoint };
}
