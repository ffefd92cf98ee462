/**
 * Creates the tables (and, as they are added to the wiring, the queues) on the local stand-ins from
 * the same definitions the CDK stack uses. Idempotent: existing tables keep their data, and only
 * gain the indexes added to the wiring since they were created (as a CloudFormation update adds
 * them in AWS), so a data directory from an older version keeps working.
 */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { type TableKey, type TableSpec, tables } from '../wiring';

export type TableNames = Record<TableKey, string>;

export const localTableNames = (prefix: string): TableNames =>
  Object.fromEntries(Object.keys(tables).map((key) => [key, `${prefix}-${key}`])) as TableNames;

const keySchema = (pk: string, sk?: string) => [
  { AttributeName: pk, KeyType: 'HASH' as const },
  ...(sk ? [{ AttributeName: sk, KeyType: 'RANGE' as const }] : []),
];

export function createTableInput(name: string, spec: TableSpec): CreateTableCommandInput {
  const attributes = new Set<string>([spec.partitionKey]);
  if (spec.sortKey) attributes.add(spec.sortKey);
  for (const index of spec.indexes) {
    attributes.add(index.partitionKey);
    if (index.sortKey) attributes.add(index.sortKey);
  }
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

export async function provisionTables(client: DynamoDBClient, names: TableNames): Promise<void> {
  for (const [key, spec] of Object.entries(tables) as Array<[TableKey, TableSpec]>) {
    const name = names[key];
    const existing = await existingIndexes(client, name);
    if (existing) {
      await addMissingIndexes(client, name, spec, existing);
      continue;
    }
    await client.send(new CreateTableCommand(createTableInput(name, spec)));
    if (spec.ttlAttribute) {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: name,
          TimeToLiveSpecification: { AttributeName: spec.ttlAttribute, Enabled: true },
        }),
      );
    }
  }
}

/** The names of the table's global secondary indexes, or undefined when there is no such table. */
async function existingIndexes(client: DynamoDBClient, name: string): Promise<Set<string> | undefined> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    return new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName ?? ''));
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return undefined;
    throw err;
  }
}

/** One UpdateTable per index, as DynamoDB adds one index at a time. */
async function addMissingIndexes(
  client: DynamoDBClient,
  name: string,
  spec: TableSpec,
  existing: Set<string>,
): Promise<void> {
  for (const index of spec.indexes) {
    if (existing.has(index.name)) continue;
    await client.send(
      new UpdateTableCommand({
        TableName: name,
        AttributeDefinitions: [index.partitionKey, ...(index.sortKey ? [index.sortKey] : [])].map((a) => ({
          AttributeName: a,
          AttributeType: 'S',
        })),
        GlobalSecondaryIndexUpdates: [
          {
            Create: {
              IndexName: index.name,
              KeySchema: keySchema(index.partitionKey, index.sortKey),
              Projection: { ProjectionType: 'ALL' },
            },
          },
        ],
      }),
    );
  }
}
