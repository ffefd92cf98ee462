/**
 * Run by test/integration/local-wakes.test.ts as a child (fauxqs is an ES module, which Jest's
 * CommonJS runtime cannot load): an emulator in this process, as `npm start` runs it, and a queue
 * poller that sleeps ten minutes when idle. Each case waits for the poller's first empty receive,
 * then makes a message available; the bodies its consumer got (within 20 s) are printed as JSON.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { startQueuePoller } from '../../lib/local/queues';
import { startSqsLocal } from '../../lib/local/sqs-local';
import { sdkLocal } from '../../lib/local/stores';
import { queues } from '../../lib/wiring';

const TEN_MINUTES_MS = 600_000;
const until = async (done: () => boolean, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
};

async function main() {
  const sqsLocal = await startSqsLocal();
  const client = new SQSClient({ endpoint: sqsLocal.endpoint, useQueueUrlAsEndpoint: false, ...sdkLocal() });
  const results: Record<string, string[]> = {};
  const cases: Array<
    [string, Omit<ConstructorParameters<typeof SendMessageCommand>[0], 'QueueUrl'>, boolean]
  > = [
    ['sent', { MessageBody: 'now' }, false],
    ['delayed', { MessageBody: 'later', DelaySeconds: 1 }, false],
    ['failed once', { MessageBody: 'again' }, true],
  ];
  for (const [name, message, failFirst] of cases) {
    const queueName = `wakes-${name.replace(' ', '-')}`;
    const url =
      (
        await client.send(
          new CreateQueueCommand({ QueueName: queueName, Attributes: { VisibilityTimeout: '1' } }),
        )
      ).QueueUrl ?? '';
    let receives = 0;
    const countReceives = (m: unknown) => {
      if ((m as { request: ClientRequest }).request.getHeader('x-amz-target') === 'AmazonSQS.ReceiveMessage')
        receives++;
    };
    subscribe('http.client.response.finish', countReceives);
    const bodies: string[] = [];
    let failures = failFirst ? 1 : 0;
    const poller = startQueuePoller({
      client,
      queue: {
        url,
        arn: `arn:aws:sqs:us-east-1:000000000000:${queueName}`,
        deadLetterUrl: '',
        visibilityTimeoutSeconds: 1,
      },
      spec: queues.orders,
      handler: async () => async (event: SQSEvent) => {
        if (failures > 0) {
          failures--;
          return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
        }
        bodies.push(...event.Records.map((r) => r.body));
        return { batchItemFailures: [] };
      },
      activity: sqsLocal.activity,
      idleReceiveIntervalMs: TEN_MINUTES_MS,
    });
    // Its first receive found the queue empty: from here on it sleeps until woken.
    await until(() => receives >= 1);
    unsubscribe('http.client.response.finish', countReceives);
    await client.send(new SendMessageCommand({ QueueUrl: url, ...message }));
    await until(() => bodies.length > 0);
    await poller.stop();
    results[name] = bodies;
  }
  client.destroy();
  await sqsLocal.stop();
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
