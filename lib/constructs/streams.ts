/**
 * The DynamoDB streams of the wiring manifest (`streams`), each read by its consumer through an
 * event source mapping: batches with a batching window, partial batch responses, a bounded number of
 * retries and record age, and, for a batch that still fails, an on-failure destination (an
 * encrypted, TLS-only SQS queue that receives the batch's shard and sequence range, alarmed).
 * Bisecting is off and one batch per shard runs at a time: the aggregator's exactly-once proof needs
 * both (lib/wiring.ts `StreamSpec`). Nothing in this file names a particular table or function.
 */
import { type CfnResource, Duration, Validations } from 'aws-cdk-lib';
import { ComparisonOperator } from 'aws-cdk-lib/aws-cloudwatch';
import {
  FilterCriteria,
  FilterRule,
  type Function as LambdaFunction,
  StartingPosition,
} from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  type FunctionKey,
  type StreamKey,
  type StreamSpec,
  streams as streamSpecs,
  type TableSpec,
  tables,
} from '../wiring';
import { ALARM_PERIOD, type AlarmTopic } from './alarms';
import type { Tables } from './tables';

/** A consumer this far behind its stream misses the "a click shows within 10 seconds" promise. */
export const MAX_ITERATOR_AGE = Duration.minutes(1);

export interface StreamsProps {
  readonly alarms: AlarmTopic;
  readonly tables: Tables;
  readonly fnOf: (key: FunctionKey) => LambdaFunction;
}

export class Streams extends Construct {
  private readonly failureQueues = new Map<StreamKey, Queue>();

  constructor(scope: Construct, id: string, props: StreamsProps) {
    super(scope, id);
    const consumers = new Set<FunctionKey>();
    for (const [key, spec] of Object.entries(streamSpecs) as Array<[StreamKey, StreamSpec]>) {
      if (!(tables[spec.table] as TableSpec).stream) {
        throw new Error(
          `Stream "${key}" reads table "${spec.table}", which has no stream: give it a \`stream\` view in lib/wiring.ts.`,
        );
      }
      const failures = this.createFailureQueue(spec);
      this.failureQueues.set(key, failures);
      const fn = props.fnOf(spec.consumer);
      const table = props.tables.get(spec.table);
      // The consumer tells a record's table by its name, even when it never calls that table.
      fn.addEnvironment(table.envVar, table.table.tableName);
      fn.addEventSource(
        new DynamoEventSource(table.table, {
          startingPosition:
            spec.startingPosition === 'LATEST' ? StartingPosition.LATEST : StartingPosition.TRIM_HORIZON,
          batchSize: spec.batchSize,
          maxBatchingWindow: Duration.seconds(spec.maxBatchingWindowSeconds),
          retryAttempts: spec.retryAttempts,
          maxRecordAge: Duration.seconds(spec.maxRecordAgeSeconds),
          bisectBatchOnError: spec.bisectBatchOnFunctionError,
          parallelizationFactor: spec.parallelizationFactor,
          reportBatchItemFailures: true,
          onFailure: new SqsDlq(failures),
          ...(spec.eventNames
            ? { filters: [FilterCriteria.filter({ eventName: FilterRule.or(...spec.eventNames) })] }
            : {}),
        }),
      );
      props.alarms.alarm(this, `${spec.onFailure.id}NotEmpty`, {
        metric: failures.metricApproximateNumberOfMessagesVisible({
          period: ALARM_PERIOD,
          statistic: 'Maximum',
        }),
        threshold: 1,
        description:
          `${spec.description} A batch of the ${spec.table} table's stream failed ${spec.retryAttempts} retries ` +
          `(or grew older than ${spec.maxRecordAgeSeconds / 3600} h) and was skipped by "${spec.consumer}": ` +
          `what it builds misses those changes. The message in ${spec.onFailure.id} names the shard and sequence range; read ` +
          "the function's logs for the cause, fix it, then replay that range (records stay in the stream 24 h).",
      });
      consumers.add(spec.consumer);
    }
    for (const key of consumers) {
      const fn = props.fnOf(key);
      Validations.of(fn.role ?? fn).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'DynamoEventSource adds dynamodb:ListStreams on "*": listing streams has no resource-level permissions. The stream reads themselves (DescribeStream, GetRecords, GetShardIterator) name each stream ARN.',
      });
    }
    for (const key of consumers) {
      // Lambda reports IteratorAge per function (the oldest of its mappings), so a consumer of
      // several streams has one alarm that names them all.
      const read = Object.values(streamSpecs as Record<StreamKey, StreamSpec>).filter(
        (s) => s.consumer === key,
      );
      props.alarms.alarm(this, `${key.charAt(0).toUpperCase()}${key.slice(1)}IteratorAge`, {
        metric: props.fnOf(key).metric('IteratorAge', { period: ALARM_PERIOD, statistic: 'Maximum' }),
        threshold: MAX_ITERATOR_AGE.toMilliseconds(),
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        description:
          `The "${key}" function is more than ${MAX_ITERATOR_AGE.toSeconds()} s behind a stream it reads ` +
          `(${read.map((s) => `${s.table}: ${s.description}`).join(' ')}) Check its errors, duration and throttles.`,
      });
    }
  }

  /** The on-failure queue of the stream declared under `key` in the wiring manifest. */
  failureQueue(key: StreamKey): Queue {
    const found = this.failureQueues.get(key);
    if (!found) throw new Error(`No stream "${key}" in the wiring manifest.`);
    return found;
  }

  private createFailureQueue(spec: StreamSpec): Queue {
    const queue = new Queue(this, spec.onFailure.id, {
      // SSE-SQS: Lambda's poller writes the failure records without KMS permissions.
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(spec.onFailure.retentionDays),
    });
    // A pinned logical id: a replaced queue would drop the failure records waiting in it.
    (queue.node.defaultChild as CfnResource).overrideLogicalId(spec.onFailure.id);
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is itself a dead-letter queue: the on-failure destination of a stream's event source mapping (it receives the position of batches that failed every retry, alarmed, for a replay); nothing consumes it, so it needs no dead-letter queue of its own.",
    });
    return queue;
  }
}
