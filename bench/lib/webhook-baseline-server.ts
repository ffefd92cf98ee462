/**
 * The baseline the webhook ingest is compared with: a bare Node.js HTTP server that does, per
 * request, the least any durable accept must do — one TransactWriteItems (the inbox item, unique
 * per webhook-id, and the order's pending record: the very items the ingest writes, built by the
 * same functions) and one SendMessage of the same message — through its own AWS SDK v3 clients, then
 * answers 202. No signature check, no secret, no merchant read, no validation, no routing, no
 * logging: the floor on this machine for a webhook kept in the same DynamoDB Local and queued on
 * the same SQS emulator, in tables and a queue of its own that nothing consumes.
 *
 * Run as a child of the webhooks bench; configured by environment, reports its port over IPC.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { orderAmountMinor } from '../../functions/common/domain/commission';
import { orderRepo } from '../../functions/common/repos/orders';
import { newInboxPut } from '../../functions/common/repos/webhook-inbox';
import type { OrderMessage } from '../../functions/common/schemas/messages';
import type { OrderCreated } from '../../functions/common/schemas/webhooks';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`webhook baseline server: ${name} is not set`);
  return value;
}

const local = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
};
const inboxTable = required('BENCH_INBOX_TABLE');
const orders = orderRepo(required('BENCH_ORDERS_TABLE'));
const queueUrl = required('BENCH_QUEUE_URL');
const dynamo = new DynamoDBClient({ endpoint: required('BENCH_DYNAMO_ENDPOINT'), ...local });
// As the runtime's client: marshalls plain objects, drops undefined.
const documents = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
const sqs = new SQSClient({
  endpoint: required('BENCH_SQS_ENDPOINT'),
  useQueueUrlAsEndpoint: false,
  ...local,
});

async function accept(merchantId: string, webhookId: string, body: Buffer): Promise<void> {
  // Trusted as it is: the floor does not validate (the load generator sends only valid orders).
  const event = JSON.parse(body.toString('utf8')) as OrderCreated;
  const message: OrderMessage = { merchantId, webhookId, receivedAt: new Date().toISOString(), event };
  await documents.send(
    new TransactWriteCommand({
      TransactItems: [
        newInboxPut(inboxTable, message),
        orders.acceptedStub({
          merchantId,
          orderId: event.orderId,
          currency: event.currency,
          occurredAt: event.occurredAt,
          amountMinor: orderAmountMinor(event.lines),
        }),
      ],
    }),
  );
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message) }));
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const merchantId = /^\/webhooks\/([^/]+)\/orders$/.exec(req.url ?? '')?.[1] ?? '';
    const webhookId = String(req.headers['webhook-id'] ?? '');
    accept(merchantId, webhookId, Buffer.concat(chunks)).then(
      () => {
        res.writeHead(202, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ status: 'accepted', webhookId }));
      },
      (err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(err instanceof Error ? err.message : String(err));
      },
    );
  });
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ port });
});

// The IPC channel would keep the process alive after the server closes; a bench child just ends.
process.on('SIGTERM', () => {
  server.closeAllConnections();
  dynamo.destroy();
  sqs.destroy();
  process.exit(0);
});
