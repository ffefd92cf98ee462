/**
 * The background half of the local runtime: a poller per queue of the wiring manifest calling its
 * consumer function, a timer per schedule calling its function, and, at start-up, the outbox
 * redrive (the SQS emulator keeps messages in memory, so whatever was queued before a restart is
 * queued again from the durable inbox), and a poller per DynamoDB stream calling its consumer.
 *
 * While DynamoDB Local is down (lib/local/supervisor.ts) the pollers are stopped and the schedules
 * skip their turn: a consumer would fail every message (which would then end in its dead-letter
 * queue) and every poll would fail. When it is back, they start again as at start-up: the stream
 * pollers re-read the shard list and go on from their checkpoints (the iterators of the old
 * process mean nothing to the new one), which is safe because a checkpoint is always the end of a
 * batch that was done, and the aggregator's batch markers make a replayed batch count once.
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
import { ALWAYS_UP, type StandInHealth } from './supervisor';

type Invocable = (event: unknown, context: Context) => Promise<unknown>;

const LOCAL_CONSUMERS_PER_QUEUE = 3;

export async function startWorkers(
  stores: Pick<LocalStores, 'sqsEndpoint' | 'dynamoEndpoint'> & Partial<Pick<LocalStores, 'queueActivity'>>,
  provisioned: Provisioned,
  runSchedules: boolean,
  health: StandInHealth = ALWAYS_UP,
) {
  const client = new SQSClient({ endpoint: stores.sqsEndpoint, useQueueUrlAsEndpoint: false, ...sdkLocal() });
  const report = (where: string) => (err: unknown) => {
    // What fails because a store just died is said once, by the supervisor.
    if (health.unavailable() !== undefined) return;
    if (isConnectionFailure(err)) console.error(`${where} failed: ${(err as Error).message}`);
    else console.error(`${where} failed:`, err);
  };

  const invoke = async (fn: FunctionKey, event: unknown) => {
    const handler = await loadHandler<Invocable>(fn);
    return handler(event, lambdaContext(fn, functions[fn].timeoutSeconds));
  };

  // Whatever was accepted but not processed before this start is queued again.
  await invoke('outboxRedrive', { all: true });
  // Pending event deliveries likewise: the queue that held their next attempts is new.
  await invoke('deliveryRedrive', { all: true });

  // Stream positions are kept beside the tables (so a restart resumes): `<prefix>-stream-checkpoints`.
  const checkpoints = await localCheckpointStore(
    stores.dynamoEndpoint,
    provisioned.tables.counters.replace(/counters$/, 'stream-checkpoints'),
  );
  // Lambda runs several batches of a queue at once; a few pollers per queue do the same here.
  const queuePollers = () =>
    (Object.entries(queues) as Array<[QueueKey, QueueSpec]>).flatMap(([key, spec]) =>
      Array.from({ length: LOCAL_CONSUMERS_PER_QUEUE }, () =>
        startQueuePoller({
          client,
          queue: provisioned.queues[key],
          spec,
          handler: () => loadHandler(spec.consumer as FunctionKey),
          onError: report(`Queue ${key}`),
          activity: stores.queueActivity,
        }),
      ),
    );

  const streamPollers = () =>
    (Object.entries(streams) as Array<[string, StreamSpec]>).map(([key, spec]) =>
      startStreamPoller({
        endpoint: stores.dynamoEndpoint,
        tableName: provisioned.tables[spec.table],
        spec,
        handler: () => loadHandler<StreamLambda>(spec.consumer),
        checkpoints,
        // The report counters were the streams' only consumer before events: their checkpoints keep
        // the keys they were written under, so an existing DATA_DIR resumes instead of recounting.
        checkpointPrefix: spec.consumer === 'aggregator' ? '' : `${spec.consumer}#`,
        onError: report(`Stream ${key}`),
        onFailedBatch: (batch) =>
          console.error(`Stream ${key}: a batch failed every retry and was skipped:`, batch),
      }),
    );

  const startPollers = () => [...queuePollers(), ...streamPollers()];

  // Started, stopped while DynamoDB Local is down, and started again; one change at a time.
  let stopped = false;
  let pollers = startPollers();
  let change = Promise.resolve();
  const offHealth = health.onChange((down) => {
    change = change.then(async () => {
      // The supervisor's own line says that they pause and resume.
      if (down !== undefined && pollers.length > 0) {
        const stopping = pollers;
        pollers = [];
        await Promise.all(stopping.map((p) => p.stop()));
      } else if (down === undefined && pollers.length === 0 && !stopped) {
        pollers = startPollers();
      }
    });
  });

  const timers = runSchedules
    ? (Object.entries(schedules) as Array<[string, ScheduleSpec]>)
        .map(([key, spec]) => [key, spec, localEvery(spec)] as const)
        .filter(([, , every]) => every > 0)
        .map(([key, spec, every]) =>
          setInterval(() => {
            if (health.unavailable() !== undefined) return;
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
      stopped = true;
      offHealth();
      for (const timer of timers) clearInterval(timer);
      await change;
      await Promise.all(pollers.map((p) => p.stop()));
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

/** The error of a call that never reached its store (refused, reset): its stack says nothing. */
function isConnectionFailure(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT'].includes(code);
}
