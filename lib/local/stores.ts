/**
 * The local stand-ins for AWS's stores — DynamoDB Local and the SQS emulator — started together,
 * with the tables and queues of the wiring manifest created on them, and the environment that
 * points the AWS SDK (and so every handler) at them.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type QueueKey, queues, tables } from '../wiring';
import { startDynamoDbLocal } from './dynamodb-local';
import { localTableNames, provisionTables, type TableNames } from './provision';
import { type LocalQueues, provisionQueues } from './queues';
import { type QueueActivity, startSqsLocal } from './sqs-local';
import { ALWAYS_UP, type StandInHealth, superviseDynamoDbLocal } from './supervisor';

export interface LocalStores {
  dynamoEndpoint: string;
  sqsEndpoint: string;
  /** When the emulator's queues may have a message to receive (./sqs-local.ts). */
  queueActivity: QueueActivity;
  /** Whether the stand-ins can be reached now (always, unless supervised). */
  health: StandInHealth;
  stop(): Promise<void>;
}

/** Restarts of a DynamoDB Local that dies (lib/local/supervisor.ts); only for file-backed data. */
export interface Supervision {
  maxRestarts: number;
  onGiveUp(message: string): void;
}

/** Credentials and region the SDK insists on; the stand-ins accept any. */
export const LOCAL_AWS_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
};

export async function startLocalStores(options: {
  dataDir?: string;
  dynamoPort?: number;
  sqsPort?: number;
  supervision?: Supervision;
}) {
  const { dataDir, supervision } = options;
  const [dynamoStarted, sqsStarted] = await Promise.allSettled([
    dataDir && supervision
      ? superviseDynamoDbLocal({ dataDir, port: options.dynamoPort, ...supervision })
      : startDynamoDbLocal({ dataDir, port: options.dynamoPort }).then((d) => ({ ...d, ...ALWAYS_UP })),
    startSqsLocal(options.sqsPort),
  ]);
  // When one of them fails to start, the other must not be left running.
  if (dynamoStarted.status === 'rejected' || sqsStarted.status === 'rejected') {
    await Promise.allSettled(
      [dynamoStarted, sqsStarted].map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)),
    );
    throw dynamoStarted.status === 'rejected'
      ? dynamoStarted.reason
      : (sqsStarted as PromiseRejectedResult).reason;
  }
  const dynamo = dynamoStarted.value;
  const sqs = sqsStarted.value;
  return {
    dynamoEndpoint: dynamo.endpoint,
    sqsEndpoint: sqs.endpoint,
    queueActivity: sqs.activity,
    health: dynamo,
    async stop() {
      await Promise.allSettled([sqs.stop(), dynamo.stop()]);
    },
  } satisfies LocalStores;
}

export interface Provisioned {
  tables: TableNames;
  queues: LocalQueues;
  /** Indexes of the wiring that tables of an older data directory lack (`table.index`). */
  missingIndexes: string[];
}

/** Environment that points the AWS SDK at the stand-ins and names the tables and queues. */
export function storesEnv(
  stores: Pick<LocalStores, 'dynamoEndpoint' | 'sqsEndpoint'>,
  provisioned: Provisioned,
) {
  const env: Record<string, string> = {
    ...LOCAL_AWS_ENV,
    AWS_ENDPOINT_URL_DYNAMODB: stores.dynamoEndpoint,
    AWS_ENDPOINT_URL_SQS: stores.sqsEndpoint,
  };
  for (const [key, spec] of Object.entries(tables))
    env[spec.envVar] = provisioned.tables[key as keyof TableNames];
  for (const [key, spec] of Object.entries(queues))
    env[spec.envVar] = provisioned.queues[key as QueueKey].url;
  return env;
}

/** Creates (if missing) the tables and queues named with `prefix`. */
export async function provisionLocal(
  stores: Pick<LocalStores, 'dynamoEndpoint' | 'sqsEndpoint'>,
  prefix: string,
  queueOverrides: { visibilityTimeoutSeconds?: number } = {},
): Promise<Provisioned> {
  const dynamo = new DynamoDBClient({ endpoint: stores.dynamoEndpoint, ...sdkLocal() });
  const sqs = new SQSClient({ endpoint: stores.sqsEndpoint, useQueueUrlAsEndpoint: false, ...sdkLocal() });
  try {
    const names = localTableNames(prefix);
    const missingIndexes = await provisionTables(dynamo, names);
    return { tables: names, queues: await provisionQueues(sqs, prefix, queueOverrides), missingIndexes };
  } finally {
    dynamo.destroy();
    sqs.destroy();
  }
}

export const sdkLocal = () => ({
  region: LOCAL_AWS_ENV.AWS_REGION,
  credentials: {
    accessKeyId: LOCAL_AWS_ENV.AWS_ACCESS_KEY_ID,
    secretAccessKey: LOCAL_AWS_ENV.AWS_SECRET_ACCESS_KEY,
  },
});
