/**
 * The floor of a function's cold start: a handler that only builds a DynamoDB client at module scope
 * and sends one PutItem per invocation. No function can load less and still reach its table, so
 * bench/cold-start.ts compares every function's module init with this one's.
 */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';

const client = new DynamoDBClient({});

export const handler = async () =>
  client.send(new PutItemCommand({ TableName: process.env.TABLE_NAME, Item: { pk: { S: 'floor' } } }));
