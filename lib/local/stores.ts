/**
 * The local stand-ins for AWS's stores — DynamoDB Local and the SQS emulator — started together,
 * with the tables and queues of the wiring manifest created on them, and the environment that
 * points the AWS SDK (and so every handler) at them.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { tables } from '../wiring';
import { startDynamoDbLocal } from './dynamodb-local';
import { localTableNames, provisionTables, type TableNames } from './provision';
import { startSqsLocal } from './sqs-local';

export interface LocalStores {
  dynamoEndpoint: string;
  sqsEndpoint: string;
  stop(): Promise<void>;
}

/** Credentials and region the SDK insists on; the stand-ins accept any. */
export const LOCAL_AWS_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  // Lambda runs Node.js 22; this machine's Node.js 20 is supported by the SDK versions we pin.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

export async function startLocalStores(options: { dataDir?: string; dynamoPort?: number; sqsPort?: number }) {
  const [dynamo, sqs] = await Promise.all([
    startDynamoDbLocal({ dataDir: options.dataDir, port: options.dynamoPort }),
    startSqsLocal(options.sqsPort),
  ]);
  return {
    dynamoEndpoint: dynamo.endpoint,
    sqsEndpoint: sqs.endpoint,
    async stop() {
      await Promise.allSettled([sqs.stop(), dynamo.stop()]);
    },
  } satisfies LocalStores;
}

/** Environment that points the AWS SDK at the stand-ins and names the tables with a prefix. */
export function storesEnv(stores: Pick<LocalStores, 'dynamoEndpoint' | 'sqsEndpoint'>, names: TableNames) {
  const env: Record<string, string> = {
    ...LOCAL_AWS_ENV,
    AWS_ENDPOINT_URL_DYNAMODB: stores.dynamoEndpoint,
    AWS_ENDPOINT_URL_SQS: stores.sqsEndpoint,
  };
  for (const [key, spec] of Object.entries(tables)) env[spec.envVar] = names[key as keyof TableNames];
  return env;
}

/** Creates (if missing) the tables named with `prefix` and returns their names. */
export async function provisionLocal(dynamoEndpoint: string, prefix: string): Promise<TableNames> {
  const client = new DynamoDBClient({ endpoint: dynamoEndpoint, ...sdkLocal() });
  try {
    const names = localTableNames(prefix);
    await provisionTables(client, names);
    return names;
  } finally {
    client.destroy();
  }
}

export const sdkLocal = () => ({
  region: LOCAL_AWS_ENV.AWS_REGION,
  credentials: {
    accessKeyId: LOCAL_AWS_ENV.AWS_ACCESS_KEY_ID,
    secretAccessKey: LOCAL_AWS_ENV.AWS_SECRET_ACCESS_KEY,
  },
});
