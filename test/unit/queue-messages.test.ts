/**
 * The shared SQS consumer wrapper (functions/common/queue/batch.ts) with the queues' message
 * schemas: a record whose body is not JSON, or does not match its queue's schema, fails alone
 * (partial batch response) and is logged by message id and reason, never with its body.
 */
import type { SQSEvent } from 'aws-lambda';
import { logger } from '../../functions/common/logger';
import { sqsBatchHandler } from '../../functions/common/queue/batch';
import {
  type OrderMessage,
  orderMessageSchema,
  type PayoutJob,
  type PayoutJobsMessage,
  payoutJobSchema,
  payoutJobsMessageSchema,
} from '../../functions/common/schemas/messages';
import { context } from '../support/events';
import { sqsRecord } from '../support/sqs-records';

const record = (messageId: string, body: string) => sqsRecord(messageId, body);

const orderMessage: OrderMessage = {
  merchantId: 'shop-a',
  webhookId: 'msg_1',
  receivedAt: '2026-11-03T14:05:01.000Z',
  event: {
    type: 'order.created',
    orderId: 'A-1',
    occurredAt: '2026-11-03T14:05:00.000Z',
    currency: 'USD',
    lines: [{ sku: 'S', quantity: 1, unitPriceMinor: 100 }],
  },
};

/** What the function passes to its logger while `run` runs (errors serialised as the logger does). */
async function logsOf<T>(run: () => Promise<T>): Promise<{ result: T; logs: string }> {
  const entries: unknown[] = [];
  const spy = jest.spyOn(logger, 'error').mockImplementation((...args: unknown[]) => {
    entries.push(args);
  });
  try {
    const result = await run();
    const logs = JSON.stringify(entries, (_key, value: unknown) =>
      value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value,
    );
    return { result, logs };
  } finally {
    spy.mockRestore();
  }
}

describe('queue message parsing', () => {
  test('a malformed order message fails only its own record, logged without its body', async () => {
    const handled: OrderMessage[] = [];
    const handler = sqsBatchHandler(orderMessageSchema, async (message) => {
      handled.push(message);
    });
    const secret = 'shopper-secret-in-body';
    const event: SQSEvent = {
      Records: [
        record('good', JSON.stringify(orderMessage)),
        record('not-json', `${secret} is not JSON`),
        record(
          'bad-line',
          JSON.stringify({
            ...orderMessage,
            event: {
              ...orderMessage.event,
              note: secret,
              lines: [{ sku: secret, quantity: 0, unitPriceMinor: 1 }],
            },
          }),
        ),
        record(
          'no-event',
          JSON.stringify({ merchantId: secret, webhookId: 'w', receivedAt: orderMessage.receivedAt }),
        ),
      ],
    };

    const { result, logs } = await logsOf(() => handler(event, context()));

    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: 'not-json' },
      { itemIdentifier: 'bad-line' },
      { itemIdentifier: 'no-event' },
    ]);
    expect(handled).toEqual([orderMessage]);
    for (const id of ['not-json', 'bad-line', 'no-event']) expect(logs).toContain(`"messageId":"${id}"`);
    expect(logs).toContain('body.event.lines.0.quantity');
    // Not even the start of it (a JSON parser's own message quotes the first characters).
    expect(logs).not.toContain(secret.slice(0, 8));
  });

  test('a payout job with a period that is not a month fails alone; the others are paid', async () => {
    const handled: PayoutJob[] = [];
    const handler = sqsBatchHandler(payoutJobSchema, async (job) => {
      handled.push(job);
    });
    const { result } = await logsOf(() =>
      handler(
        {
          Records: [
            record('ok', JSON.stringify({ period: '2026-11', influencerId: 'anna' })),
            record('month-13', JSON.stringify({ period: '2026-13', influencerId: 'anna' })),
            record('no-influencer', JSON.stringify({ period: '2026-11' })),
          ],
        },
        context(),
      ),
    );
    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: 'month-13' },
      { itemIdentifier: 'no-influencer' },
    ]);
    expect(handled).toEqual([{ period: '2026-11', influencerId: 'anna' }]);
  });

  test('the payout-jobs queue carries jobs and run continuations, each parsed as what it is', async () => {
    const handled: PayoutJobsMessage[] = [];
    const handler = sqsBatchHandler(payoutJobsMessageSchema, async (message) => {
      handled.push(message);
    });
    const { result } = await logsOf(() =>
      handler(
        {
          Records: [
            record('job', JSON.stringify({ period: '2026-11', influencerId: 'anna' })),
            record('continue', JSON.stringify({ period: '2026-11', continueRun: true })),
            record('not-continue', JSON.stringify({ period: '2026-11', continueRun: false })),
            record('continue-month-13', JSON.stringify({ period: '2026-13', continueRun: true })),
          ],
        },
        context(),
      ),
    );
    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: 'not-continue' },
      { itemIdentifier: 'continue-month-13' },
    ]);
    expect(handled).toHaveLength(2);
    expect(handled).toContainEqual({ period: '2026-11', influencerId: 'anna' });
    expect(handled).toContainEqual({ period: '2026-11', continueRun: true });
  });

  test('a record whose handling throws fails alone, after the parse', async () => {
    const handler = sqsBatchHandler(payoutJobSchema, async (job) => {
      if (job.influencerId === 'boom') throw new Error('Payout table unavailable');
    });
    const { result, logs } = await logsOf(() =>
      handler(
        {
          Records: [
            record('fine', JSON.stringify({ period: '2026-11', influencerId: 'anna' })),
            record('boom', JSON.stringify({ period: '2026-11', influencerId: 'boom' })),
          ],
        },
        context(),
      ),
    );
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'boom' }]);
    expect(logs).toContain('Payout table unavailable');
  });
});
