/**
 * Run as its own process by test/unit/local-invocation.test.ts (`tsx test/support/local-invocations.ts`):
 * handlers invoked the way the local runtime invokes them, concurrently, with every line they write
 * to stdout passed through. A process of its own because invocation contexts rest on
 * AsyncLocalStorage, whose promise tracking Node enables once per process, in the V8 context that
 * first asks for it: a second Jest test file (another V8 context) would not get it.
 */

import '../../lib/local/esm-only-packages';
import type { APIGatewayProxyEventV2, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { httpHandler } from '../../functions/common/http/handler';
import { logger } from '../../functions/common/logger';
import { sqsBatchHandler } from '../../functions/common/queue/batch';
import { lambdaContext } from '../../lib/local/api-gateway-event';
import { perInvocation } from '../../lib/local/invocation';
import { sqsRecord } from './sqs-records';

const httpEvent = (requestId: string) =>
  ({
    version: '2.0',
    routeKey: 'GET /x',
    rawPath: '/x',
    rawQueryString: '',
    headers: {},
    requestContext: { requestId, http: { method: 'GET', path: '/x', sourceIp: '203.0.113.7' } },
    isBase64Encoded: false,
  }) as unknown as APIGatewayProxyEventV2;

function signal() {
  let fire = () => {};
  const fired = new Promise<void>((resolve) => {
    fire = resolve;
  });
  return { fired, fire };
}

/** Two HTTP invocations interleaved: the second sets its keys while the first is still running. */
async function interleaved() {
  const started = { first: signal(), second: signal() };
  const resume: Record<string, () => void> = {};
  const handle = httpHandler(async (event) => {
    const which = event.requestContext.requestId === 'req-first' ? 'first' : 'second';
    logger.appendKeys({ caller: which });
    logger.info('started', { which });
    await new Promise<void>((resolve) => {
      resume[which] = resolve;
      started[which].fire();
    });
    logger.info('finished', { which });
    return { statusCode: 204, body: '' };
  });
  const asRedirect = await perInvocation('redirect', () => handle);
  const asIngest = await perInvocation('ingest', () => handle);
  const first = asRedirect(httpEvent('req-first'), lambdaContext('redirect', 5));
  await started.first.fired;
  const second = asIngest(httpEvent('req-second'), lambdaContext('ingest', 5));
  await started.second.fired;
  resume.first?.();
  await first;
  resume.second?.();
  await second;
}

/** A batch of the orders queue's consumer whose records all fail, one of them on its fifth receive. */
async function failingBatch() {
  // Built inside the loader, as a handler module's top level is: BatchProcessor writes state.
  const handler = await perInvocation('attribution', () =>
    sqsBatchHandler(z.unknown(), async () => {
      throw new Error('poison');
    }),
  );
  const record = (messageId: string, receiveCount: number) =>
    sqsRecord(messageId, '{}', { receiveCount, arn: 'arn:aws:sqs:local:000000000000:orders' });

  const event: SQSEvent = { Records: [record('m-4', 4), record('m-5', 5)] };
  const response = await handler(event as never, lambdaContext('attribution', 30));
  console.log(JSON.stringify({ batchResponse: response }));
}

const scenarios: Record<string, () => Promise<void>> = { interleaved, failingBatch };
const scenario = scenarios[process.argv[2] ?? ''];
if (!scenario) throw new Error(`Scenario one of: ${Object.keys(scenarios).join(', ')}`);
scenario().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
