/**
 * The local runtime calls every function's handler in one process, concurrently. Each invocation
 * must log under its own function's service name and see only its own appended keys and
 * correlation id, although Powertools' Logger is one module-wide instance.
 */
import type { APIGatewayProxyEventV2, SQSEvent } from 'aws-lambda';
import { httpHandler } from '../../functions/common/http/handler';
import { logger } from '../../functions/common/logger';
import { sqsBatchHandler } from '../../functions/common/queue/batch';
import { lambdaContext } from '../../lib/local/api-gateway-event';
import { perInvocation } from '../../lib/local/invocation';

type Line = Record<string, unknown>;

/** Everything written to stdout meanwhile, as the JSON lines Powertools writes. */
async function captureStdout(run: () => Promise<void>): Promise<Line[]> {
  const chunks: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  // Errors (a failing record's) go to stderr: kept out of the test's output.
  const quiet = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await run();
  } finally {
    spy.mockRestore();
    quiet.mockRestore();
  }
  return chunks
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line);
}

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

/** Resolves when `release` is called: lets the test interleave two invocations deterministically. */
function gate() {
  let release = () => {};
  const opened = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { opened, release };
}

describe('local invocations', () => {
  test('concurrent invocations keep their own correlation id, keys and service name', async () => {
    const gates = { first: gate(), second: gate() };
    const started = { first: gate(), second: gate() };
    const handle = httpHandler(async (event) => {
      const which = event.requestContext.requestId === 'req-first' ? 'first' : 'second';
      logger.appendKeys({ caller: which });
      logger.info('started', { which });
      started[which].release();
      await gates[which].opened;
      logger.info('finished', { which });
      return { statusCode: 204, body: '' };
    });
    const asRedirect = await perInvocation('redirect', () => handle);
    const asIngest = await perInvocation('ingest', () => handle);

    const lines = await captureStdout(async () => {
      const first = asRedirect(httpEvent('req-first'), lambdaContext('redirect', 5));
      await started.first.opened;
      // The second starts (and sets its correlation id and keys) while the first is still running.
      const second = asIngest(httpEvent('req-second'), lambdaContext('ingest', 5));
      await started.second.opened;
      gates.first.release();
      await first;
      gates.second.release();
      await second;
    });

    const logLines = lines.filter((l) => l.message === 'started' || l.message === 'finished');
    expect(logLines).toHaveLength(4);
    for (const line of logLines) {
      const which = line.which as string;
      expect(line).toMatchObject({
        correlation_id: `req-${which}`,
        caller: which,
        service: which === 'first' ? 'creditlink-redirect' : 'creditlink-ingest',
      });
    }
  });

  test('a record failing its last allowed receive is counted as dead-lettered, for its consumer', async () => {
    // Built inside the loader, as a handler module's top level is: BatchProcessor writes state.
    const handler = await perInvocation('attribution', () =>
      sqsBatchHandler(async () => {
        throw new Error('poison');
      }),
    );
    const record = (messageId: string, receiveCount: number) => ({
      messageId,
      receiptHandle: messageId,
      body: '{}',
      attributes: {
        ApproximateReceiveCount: String(receiveCount),
        SentTimestamp: '0',
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: '0',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:local:000000000000:orders',
      awsRegion: 'us-east-1',
    });
    let failures: unknown;
    const lines = await captureStdout(async () => {
      // The orders queue allows 5 receives (lib/wiring.ts): only the fifth failure is the last.
      const event: SQSEvent = { Records: [record('m-4', 4), record('m-5', 5)] };
      failures = await handler(event as never, lambdaContext('attribution', 30));
    });
    expect(failures).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-4' }, { itemIdentifier: 'm-5' }] });
    const emf = lines.filter((l) => '_aws' in l);
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({ service: 'creditlink-attribution', MessagesDeadLettered: 1 });
    expect(JSON.stringify(emf[0]?._aws)).toContain('"Namespace":"Creditlink"');
  });
});
