/**
 * Creates the tables (and, as they are added to the wiring, the queues) on the local stand-ins from
 * the same definitions the CDK stack uses. Idempotent: existing tables are left as they are, so a
 * restart on the same data directory keeps its data.
 */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { type TableKey, type TableSpec, tables } from '../wiring';

export type TableNames = Record<TableKey, string>;

export const localTableNames = (prefix: string): TableNames =>
  Object.fromEntries(Object.keys(tables).map((key) => [key, `${prefix}-${key}`])) as TableNames;

export function createTableInput(name: string, spec: TableSpec): CreateTableCommandInput {
  const attributes = new Set<string>([spec.partitionKey]);
  if (spec.sortKey) attributes.add(spec.sortKey);
  for (const index of spec.indexes) {
    attributes.add(index.partitionKey);
    if (index.sortKey) attributes.add(index.sortKey);
  }
  const keySchema = (pk: string, sk?: string) => [
    { AttributeName: pk, KeyType: 'HASH' as const },
    ...(sk ? [{ AttributeName: sk, KeyType: 'RANGE' as const }] : []),
  ];
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map((a) => ({ AttributeName: a, AttributeType: 'S' })),
    KeySchema: keySchema(spec.partitionKey, spec.sortKey),
    ...(spec.indexes.length
      ? {
          GlobalSecondaryIndexes: spec.indexes.map((index) => ({
            IndexName: index.name,
            KeySchema: keySchema(index.partitionKey, index.sortKey),
            Projection: { ProjectionType: 'ALL' },
          })),
        }
      : {}),
    ...(spec.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: spec.stream } } : {}),
  };
}

/**
 * Creates the missing tables. Returns the indexes of the wiring that existing tables lack (as
 * `table.index`): a data directory made by an older version keeps its tables, and adding an index
 * to a table on DynamoDB Local can leave it CREATING for good, so the caller says so instead.
 */
export async function provisionTables(client: DynamoDBClient, names: TableNames): Promise<string[]> {
  const missingIndexes: string[] = [];
  for (const [key, spec] of Object.entries(tables) as Array<[TableKey, TableSpec]>) {
    const name = names[key];
    const described = await describedTable(client, name);
    if (described) {
      for (const index of spec.indexes)
        if (!described.indexes.includes(index.name)) missingIndexes.push(`${key}.${index.name}`);
      // A stream, like TTL, can be turned on for a table that has data, in place.
      if (spec.stream && !described.streamEnabled)
        await client.send(
          new UpdateTableCommand({
            TableName: name,
            StreamSpecification: { StreamEnabled: true, StreamViewType: spec.stream },
          }),
        );
      // Unlike an index, TTL can be turned on for a table that has data, in place.
      if (spec.ttlAttribute && !(await ttlEnabled(client, name)))
        await enableTtl(client, name, spec.ttlAttribute);
      continue;
    }
    await client.send(new CreateTableCommand(createTableInput(name, spec)));
    if (spec.ttlAttribute) await enableTtl(client, name, spec.ttlAttribute);
  }
  return missingIndexes;
}

async function enableTtl(client: DynamoDBClient, name: string, attribute: string): Promise<void> {
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: name,
      TimeToLiveSpecification: { AttributeName: attribute, Enabled: true },
    }),
  );
}

async function ttlEnabled(client: DynamoDBClient, name: string): Promise<boolean> {
  const out = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
  const status = out.TimeToLiveDescription?.TimeToLiveStatus;
  return status === 'ENABLED' || status === 'ENABLING';
}

/** A table's global secondary indexes and whether it has a stream; undefined when there is no such table. */
async function describedTable(
  client: DynamoDBClient,
  name: string,
): Promise<{ indexes: string[]; streamEnabled: boolean } | undefined> {
  try {
    const out = await client.send(new DescribeTableCommand({ TableName: name }));
    return {
      indexes: (out.Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName ?? ''),
      streamEnabled: out.Table?.StreamSpecification?.StreamEnabled === true,
    };
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return undefined;
    throw err;
  }
}
