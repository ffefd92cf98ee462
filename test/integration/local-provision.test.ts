/**
 * Local provisioning on a data directory from an older version: an orders table created before the
 * `creditedByMerchant` index existed gains it when the tables are provisioned again (as a
 * CloudFormation update adds it in AWS), keeping its items, and the index serves roots written
 * after that.
 */
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createTableInput, localTableNames, provisionTables } from '../../lib/local/provision';
import { sdkLocal } from '../../lib/local/stores';
import { tables } from '../../lib/wiring';

let client: DynamoDBClient;

beforeAll(() => {
  const endpoint = process.env.TEST_DYNAMO_ENDPOINT;
  if (!endpoint) throw new Error('Run integration tests through Jest (global setup starts the stores).');
  client = new DynamoDBClient({ endpoint, ...sdkLocal() });
});
afterAll(() => client.destroy());

test('an orders table without the new index gains it, keeps its items, and the index serves new roots', async () => {
  const names = localTableNames(`oldprov-${Date.now().toString(36)}`);
  const older = {
    ...tables.orders,
    indexes: tables.orders.indexes.filter((index) => index.name !== 'creditedByMerchant'),
  };
  await client.send(new CreateTableCommand(createTableInput(names.orders, older)));
  const documents = DynamoDBDocumentClient.from(client);
  await documents.send(new PutCommand({ TableName: names.orders, Item: { pk: 'ORDER#m#o', sk: 'ROOT' } }));

  await provisionTables(client, names);

  const described = await client.send(new DescribeTableCommand({ TableName: names.orders }));
  const indexNames = (described.Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName).sort();
  expect(indexNames).toEqual(tables.orders.indexes.map((index) => index.name).sort());
  const { Item } = await documents.send(
    new GetCommand({ TableName: names.orders, Key: { pk: 'ORDER#m#o', sk: 'ROOT' } }),
  );
  expect(Item).toEqual({ pk: 'ORDER#m#o', sk: 'ROOT' });
  // Provisioning again changes nothing.
  await provisionTables(client, names);

  const root = { pk: 'ORDER#m#o2', sk: 'ROOT', ordersOf: 'm', orderSort: '2026-11-03T10:00:00.000Z#o2' };
  await documents.send(new PutCommand({ TableName: names.orders, Item: root }));
  const found = await documents.send(
    new QueryCommand({
      TableName: names.orders,
      IndexName: 'creditedByMerchant',
      KeyConditionExpression: 'ordersOf = :m',
      ExpressionAttributeValues: { ':m': 'm' },
    }),
  );
  expect(found.Items).toEqual([root]);
});
