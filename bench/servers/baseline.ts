/**
 * The baseline the redirect is compared with: a bare Node.js HTTP server that does exactly one
 * DynamoDB PutItem per request through the AWS SDK v3 DynamoDBClient, awaits it, and answers 302
 * with a Location. No routing, no middleware, no parsing: the floor that any redirect writing one
 * click to the same DynamoDB Local can reach on this machine.
 *
 * Run as a child of bench/run.ts; configured by environment, reports its port over IPC.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AttributeValue, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`baseline server: ${name} is not set`);
  return value;
}

const tableName = required('BENCH_TABLE');
/** A real click item read back from the runtime's table, so both servers write the same bytes. */
const template = JSON.parse(required('BENCH_ITEM')) as Record<string, AttributeValue>;
const location = required('BENCH_LOCATION');
const client = new DynamoDBClient({
  endpoint: required('BENCH_DYNAMO_ENDPOINT'),
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

// A unique, time-ordered 26-character key (like the runtime's ULIDs, so both insert in key order):
// 8 characters of start time and an 18-character counter.
const prefix = Date.now().toString(36).padStart(8, '0');
let sequence = 0;

const server = createServer((_req, res) => {
  const clickId = `${prefix}${(sequence++).toString(36).padStart(18, '0')}`;
  client
    .send(new PutItemCommand({ TableName: tableName, Item: { ...template, clickId: { S: clickId } } }))
    .then(
      () => {
        res.writeHead(302, { location: `${location}${clickId}`, 'cache-control': 'no-store' });
        res.end();
      },
      (err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(err instanceof Error ? err.message : String(err));
      },
    );
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ port });
});

// The IPC channel would keep the process alive after the server closes; a bench child just ends.
process.on('SIGTERM', () => {
  server.closeAllConnections();
  client.destroy();
  process.exit(0);
});
