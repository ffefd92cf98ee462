/**
 * Local provisioning on a data directory made by an older version: its tables are kept as they are,
 * and the indexes they lack are reported (npm start prints them) instead of surfacing later as a 500.
 */
import { randomBytes } from 'node:crypto';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { createTableInput, localTableNames, provisionTables } from '../../lib/local/provision';
import { sdkLocal } from '../../lib/local/stores';
import { tables } from '../../lib/wiring';

const client = new DynamoDBClient({ endpoint: process.env.TEST_DYNAMO_ENDPOINT, ...sdkLocal() });
const names = localTableNames(`provision-${randomBytes(4).toString('hex')}`);

afterAll(async () => {
  for (const name of Object.values(names))
    await client.send(new DeleteTableCommand({ TableName: name })).catch(() => undefined);
  client.destroy();
});

test('a fresh store gets every index; an older table keeps its data and its lack of an index is reported', async () => {
  // The orders table as a version without the model comparison's index created it.
  const older = createTableInput(names.orders, {
    ...tables.orders,
    indexes: tables.orders.indexes.filter((index) => index.name !== 'creditedByMerchant'),
  });
  await client.send(new CreateTableCommand(older));

  expect(await provisionTables(client, names)).toEqual(['orders.creditedByMerchant']);
  // Every other table was created whole: asking again reports the same, and nothing else.
  expect(await provisionTables(client, names)).toEqual(['orders.creditedByMerchant']);
});

test('an older table without its TTL gets it turned on in place', async () => {
  const own = localTableNames(`provision-ttl-${randomBytes(4).toString('hex')}`);
  try {
    // The config table as a version without expiring portal items created it: no TTL.
    await client.send(new CreateTableCommand(createTableInput(own.config, tables.config)));
    await provisionTables(client, own);
    const out = await client.send(new DescribeTimeToLiveCommand({ TableName: own.config }));
    expect(out.TimeToLiveDescription).toMatchObject({
      AttributeName: 'expiresAt',
      TimeToLiveStatus: 'ENABLED',
    });
  } finally {
    for (const name of Object.values(own))
      await client.send(new DeleteTableCommand({ TableName: name })).catch(() => undefined);
  }
});
