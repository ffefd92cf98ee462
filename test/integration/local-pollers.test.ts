/**
 * The local queue poller long-polls the SQS emulator: a message sent while it waits is handled
 * without a new receive, and stopping it cuts the wait short instead of letting it run out.
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { sdkLocal } from '../../lib/local/stores';
import { pollQueue, waitFor } from '../support/handlers';
import { useTestStores } from '../support/stores';

let stores: Awaited<ReturnType<typeof useTestStores>>;
let sqs: SQSClient;
const receives: string[] = [];

beforeAll(async () => {
  stores = await useTestStores('local-pollers');
  sqs = new SQSClient({ endpoint: stores.sqsEndpoint, useQueueUrlAsEndpoint: false, ...sdkLocal() });
  // Every receive the poller makes, to see that one long poll waited for the message.
  sqs.middlewareStack.add(
    (next, ctx) => async (args) => {
      if (ctx.commandName === 'ReceiveMessageCommand') receives.push(ctx.commandName);
      return next(args);
    },
    { step: 'initialize', name: 'countReceives' },
  );
});

afterAll(() => sqs.destroy());

test('a message sent while the poller waits is handled by the same receive, and stop ends the wait', async () => {
  const handled: string[] = [];
  let receivesBeforeHandling = 0;
  const poller = pollQueue(sqs, stores.queues.orders, 'orders', async (event: SQSEvent) => {
    receivesBeforeHandling = receives.length;
    handled.push(...event.Records.map((r) => r.body));
    return { batchItemFailures: [] };
  });
  try {
    // The poller's first receive is under way and waiting: the queue is empty.
    await waitFor(
      async () => receives.length,
      (n) => n > 0,
    );
    await sqs.send(new SendMessageCommand({ QueueUrl: stores.queues.orders.url, MessageBody: 'hello' }));
    expect(
      await waitFor(
        async () => handled,
        (h) => h.length > 0,
      ),
    ).toEqual(['hello']);
    expect(receivesBeforeHandling).toBe(1);
  } finally {
    // Waiting for messages again now; without the abort this would take the whole long poll,
    // beyond Jest's timeout for the test.
    await poller.stop();
  }
});
