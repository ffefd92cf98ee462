/**
 * The SQS queues, one per `queues` entry of the wiring manifest, each with its dead-letter queue, its
 * consumer (a Lambda event source with partial batch responses) and its alarms. Nothing in this file
 * names a particular queue or function. Senders are bound by FunctionWithLogGroup.bindQueue.
 */
import { type CfnResource, Duration } from 'aws-cdk-lib';
import { ComparisonOperator } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  type FunctionKey,
  type FunctionSpec,
  functions as functionSpecs,
  type QueueKey,
  type QueueSpec,
  queueConsumers,
  queues as queueSpecs,
} from '../wiring';
import { ALARM_PERIOD, type AlarmTopic } from './alarms';

/** A queue together with the variable that carries its URL to the functions that send to it. */
export interface EnvQueue {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly envVar: string;
}

/**
 * AWS's rule for SQS event sources: the visibility timeout is at least six times the function's
 * timeout, so that a batch still being retried after a throttle is not handed to a second worker.
 */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

/** A message older than this in a main queue means the consumer is failing or falling behind. */
export const MAX_MESSAGE_AGE = Duration.minutes(15);

/** Throws, with what to change, unless the queue's visibility timeout covers its consumer's timeout. */
export function assertVisibilityCoversConsumer(key: string, queue: QueueSpec, consumer: FunctionSpec): void {
  const needed = VISIBILITY_TIMEOUT_FACTOR * consumer.timeoutSeconds;
  if (queue.visibilityTimeoutSeconds < needed) {
    throw new Error(
      `Queue "${key}": visibilityTimeoutSeconds is ${queue.visibilityTimeoutSeconds} s, but its consumer ` +
        `"${queue.consumer}" has a timeout of ${consumer.timeoutSeconds} s; the visibility timeout must be at ` +
        `least ${VISIBILITY_TIMEOUT_FACTOR} x that (${needed} s), or a message can be handled twice at once. ` +
        "Raise the queue's visibilityTimeoutSeconds or lower the function's timeoutSeconds in lib/wiring.ts.",
    );
  }
}

const encrypted = {
  // SSE-SQS: encrypted at rest with keys SQS manages, so the Lambda poller, the senders and the
  // dead-letter redrive need no KMS permissions (and there is no per-request KMS cost).
  encryption: QueueEncryption.SQS_MANAGED,
  // A queue policy denying every request not made over TLS (cdk-nag AwsSolutions-SQS4).
  enforceSSL: true,
} as const;

export class Queues extends Construct {
  private readonly byKey = new Map<QueueKey, EnvQueue>();

  constructor(
    scope: Construct,
    id: string,
    private readonly props: { readonly alarms: AlarmTopic },
  ) {
    super(scope, id);
    for (const [key, spec] of Object.entries(queueSpecs) as Array<[QueueKey, QueueSpec]>) {
      assertVisibilityCoversConsumer(key, spec, functionSpecs[queueConsumers[key]]);
      this.byKey.set(key, this.createQueue(spec));
    }
  }

  /** The queue declared under `key` in the wiring manifest. */
  get(key: QueueKey): EnvQueue {
    const found = this.byKey.get(key);
    if (!found) throw new Error(`No queue "${key}" in the wiring manifest.`);
    return found;
  }

  /**
   * Connects every queue to its consumer: an event source mapping that polls in batches and reports
   * the failed messages of a batch (`batchItemFailures`) so only those come back. The event source
   * also grants the consumer receive, delete and change-visibility on that queue (and nothing else).
   */
  addConsumers(fnOf: (key: FunctionKey) => IFunction): void {
    for (const [key, spec] of Object.entries(queueSpecs) as Array<[QueueKey, QueueSpec]>) {
      fnOf(queueConsumers[key]).addEventSource(
        new SqsEventSource(this.get(key).queue, {
          batchSize: spec.batchSize,
          maxBatchingWindow: Duration.seconds(spec.maxBatchingWindowSeconds),
          reportBatchItemFailures: true,
        }),
      );
    }
  }

  private createQueue(spec: QueueSpec): EnvQueue {
    const deadLetterQueue = new Queue(this, spec.deadLetter.id, {
      ...encrypted,
      retentionPeriod: Duration.days(spec.deadLetter.retentionDays),
    });
    const queue = new Queue(this, spec.id, {
      ...encrypted,
      visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: spec.maxReceiveCount },
    });
    // Pin the logical ids to the manifest's ids: a queue whose logical id changes is replaced, and the
    // messages in the old one (accepted orders, or failed ones awaiting a redrive) are deleted with it.
    for (const [q, logicalId] of [
      [queue, spec.id],
      [deadLetterQueue, spec.deadLetter.id],
    ] as const) {
      (q.node.defaultChild as CfnResource).overrideLogicalId(logicalId);
    }

    const { alarms } = this.props;
    alarms.alarm(this, `${spec.deadLetter.id}NotEmpty`, {
      metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: ALARM_PERIOD,
        statistic: 'Maximum',
      }),
      threshold: 1,
      description:
        `${spec.description} Messages failed ${spec.maxReceiveCount} times and are in the dead-letter queue ` +
        `${spec.deadLetter.id} (kept ${spec.deadLetter.retentionDays} days). Read the consumer's logs for ` +
        'the cause, fix it, then move them back with `aws sqs start-message-move-task --source-arn <DLQ arn>`.',
    });
    alarms.alarm(this, `${spec.id}OldestMessageAge`, {
      metric: queue.metricApproximateAgeOfOldestMessage({ period: ALARM_PERIOD, statistic: 'Maximum' }),
      threshold: MAX_MESSAGE_AGE.toSeconds(),
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      description:
        `${spec.description} The oldest message in ${spec.id} has waited more than ` +
        `${MAX_MESSAGE_AGE.toMinutes()} minutes: the consumer "${spec.consumer}" is failing, throttled or ` +
        'falling behind. Check its errors, throttles and concurrency.',
    });
    return { queue, deadLetterQueue, envVar: spec.envVar };
  }
}
