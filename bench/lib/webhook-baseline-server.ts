/**
 * The baseline the webhook ingest is compared with: a bare Node.js HTTP server that does, per
 * request, the least any durable accept must do — one TransactWriteItems (the inbox item, unique
 * per webhook-id, and the order's pending record: the very items the ingest writes, built by the
 * same functions) and one SendMessage of the same message — through its own AWS SDK v3 clients, then
 * answers 202. No signature check, no secret, no merchant read, no validation, no routing, no
 * logging, no worker: the floor on this machine for a webhook kept in DynamoDB Local and queued on
 * the SQS emulator.
 *
 * Its stores are its own, set up as `npm start` sets up the runtime's: a DynamoDB Local of its own
 * (BENCH_DYNAMO_ENDPOINT, started by the bench) and the same SQS emulator (fauxqs) run inside this
 * process, as npm start runs it inside its own. So no work of the runtime (its pollers, its worker,
 * its emulator's event loop) is ever part of the baseline's figures, nor the baseline's of the
 * runtime's.
 *
 * Run as a child of the webhooks bench; configured by environment, reports its port over IPC.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { orderAmountMinor } from '../../functions/common/domain/commission';
import { orderRepo } from '../../functions/common/repos/orders';
import { newInboxPut } from '../../functions/common/repos/webhook-inbox';
import type { OrderMessage } from '../../functions/common/schemas/messages';
import type { OrderCreated } from '../../functions/common/schemas/webhooks';
import { startSqsLocal } from '../../lib/local/sqs-local';

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
const dynamo = new DynamoDBClient({ endpoint: required('BENCH_DYNAMO_ENDPOINT'), ...local });
// As the runtime's client: marshalls plain objects, drops undefined.
const documents = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
let sqs: SQSClient | undefined;
let queueUrl: string | undefined;

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
  if (!sqs || !queueUrl) throw new Error('webhook baseline server: not started');
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

async function start(): Promise<void> {
  const emulator = await startSqsLocal();
  sqs = new SQSClient({ endpoint: emulator.endpoint, useQueueUrlAsEndpoint: false, ...local });
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'bench-baseline-orders' }))).QueueUrl;
  if (!queueUrl) throw new Error('webhook baseline server: the SQS emulator created no queue');
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    process.send?.({ port });
  });
}

start().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

// The IPC channel would keep the process alive after the server closes; a bench child just ends.
process.on('SIGTERM', () => {
  server.closeAllConnections();
  dynamo.destroy();
  sqs?.destroy();
  process.exit(0);
});
