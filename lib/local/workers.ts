/**
 * The background half of the local runtime: a poller per queue of the wiring manifest calling its
 * consumer function, a timer per schedule calling its function, and, at start-up, the outbox
 * redrive (the SQS emulator keeps messages in memory, so whatever was queued before a restart is
 * queued again from the durable inbox), and a poller per DynamoDB stream calling its consumer.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import {
  type FunctionKey,
  functions,
  type QueueKey,
  type QueueSpec,
  queues,
  type ScheduleInvocation,
  type ScheduleKey,
  type ScheduleSpec,
  type StreamSpec,
  schedules,
  streams,
} from '../wiring';
import { lambdaContext } from './api-gateway-event';
import { loadHandler } from './http-server';
import { startQueuePoller } from './queues';
import { type LocalStores, type Provisioned, sdkLocal } from './stores';
import { localCheckpointStore, type StreamLambda, startStreamPoller } from './streams';

type Invocable = (event: unknown, context: Context) => Promise<unknown>;

const LOCAL_CONSUMERS_PER_QUEUE = 3;

export async function startWorkers(
  stores: Pick<LocalStores, 'sqsEndpoint' | 'dynamoEndpoint'>,
  provisioned: Provisioned,
  runSchedules: boolean,
) {
  const client = new SQSClient({ endpoint: stores.sqsEndpoint, useQueueUrlAsEndpoint: false, ...sdkLocal() });
  const report = (where: string) => (err: unknown) => console.error(`${where} failed:`, err);

  const invoke = async (fn: FunctionKey, event: unknown) => {
    const handler = await loadHandler<Invocable>(fn);
    return handler(event, lambdaContext(fn, functions[fn].timeoutSeconds));
  };

  // Whatever was accepted but not processed before this start is queued again.
  await invoke('outboxRedrive', { all: true });

  // Lambda runs several batches of a queue at once; a few pollers per queue do the same here.
  const pollers = (Object.entries(queues) as Array<[QueueKey, QueueSpec]>).flatMap(([key, spec]) =>
    Array.from({ length: LOCAL_CONSUMERS_PER_QUEUE }, () =>
      startQueuePoller({
        client,
        queue: provisioned.queues[key],
        spec,
        handler: () => loadHandler(spec.consumer as FunctionKey),
        onError: report(`Queue ${key}`),
      }),
    ),
  );

  // Stream positions are kept beside the tables (so a restart resumes): `<prefix>-stream-checkpoints`.
  const checkpoints = await localCheckpointStore(
    stores.dynamoEndpoint,
    provisioned.tables.counters.replace(/counters$/, 'stream-checkpoints'),
  );
  const streamPollers = (Object.entries(streams) as Array<[string, StreamSpec]>).map(([key, spec]) =>
    startStreamPoller({
      endpoint: stores.dynamoEndpoint,
      tableName: provisioned.tables[spec.table],
      spec,
      handler: () => loadHandler<StreamLambda>(spec.consumer),
      checkpoints,
      onError: report(`Stream ${key}`),
      onFailedBatch: (batch) =>
        console.error(`Stream ${key}: a batch failed every retry and was skipped:`, batch),
    }),
  );

  const timers = runSchedules
    ? (Object.entries(schedules) as Array<[string, ScheduleSpec]>)
        .map(([key, spec]) => [key, spec, localEvery(spec)] as const)
        .filter(([, , every]) => every > 0)
        .map(([key, spec, every]) =>
          setInterval(() => {
            const invocation: ScheduleInvocation = {
              schedule: key as ScheduleKey,
              scheduledTime: new Date().toISOString(),
            };
            invoke(spec.fn, invocation).catch(report(`Schedule ${key}`));
          }, every),
        )
    : [];

  return {
    async stop() {
      for (const timer of timers) clearInterval(timer);
      await Promise.all([...pollers, ...streamPollers].map((p) => p.stop()));
      checkpoints.close();
      client.destroy();
    },
  };
}

/** A schedule's local period, from its environment variable when set. */
function localEvery(spec: ScheduleSpec): number {
  const override = spec.localEveryEnvVar ? process.env[spec.localEveryEnvVar] : undefined;
  if (override === undefined || override === '') return spec.localEveryMs;
  const every = Number(override);
  if (!Number.isSafeInteger(every) || every < 0)
    throw new Error(`${spec.localEveryEnvVar} must be a whole number of ms.`);
  return every;
}
