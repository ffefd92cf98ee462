/**
 * The EventBridge Scheduler schedules, one per `schedules` entry of the wiring manifest, in UTC, each
 * invoking its function with retries and a dead-letter queue (alarmed) for the runs that failed.
 * Nothing in this file names a particular schedule or function.
 *
 * What the function receives (for handler authors): EventBridge Scheduler sends the target input
 * as-is, NOT an EventBridge `ScheduledEvent` (no `source`, `detail-type`, `time` or `detail`). The
 * input is `ScheduleInvocation` below: the schedule's key and the time the run was scheduled for,
 * which Scheduler fills in. A job that works on "the previous month" (the payouts) derives it from
 * `scheduledTime`, not from the wall clock: a retry an hour later, or a redrive from the dead-letter
 * queue days later, then still works on the same period.
 */
import { type CfnResource, Duration, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import { type IRole, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import {
  ContextAttribute,
  Schedule,
  ScheduleExpression,
  ScheduleTargetInput,
} from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  type FunctionKey,
  type ScheduleInvocation,
  type ScheduleKey,
  type ScheduleSpec,
  schedules as scheduleSpecs,
} from '../wiring';
import { ALARM_PERIOD, type AlarmTopic } from './alarms';

/** The input a scheduled function is invoked with (see the header). */

/**
 * Retries of a failed run. Scheduler invokes Lambda asynchronously, so failures come in two kinds:
 * Scheduler could not hand the event to Lambda (throttled, function missing), retried by the
 * schedule's retry policy; or the function itself failed, retried by Lambda's asynchronous
 * invocation settings (at most 2). Either way, after the retries or once the event is older than
 * `maxEventAge`, the event lands in the schedule's dead-letter queue.
 */
export const SCHEDULE_RETRIES = {
  schedulerRetryAttempts: 3,
  lambdaRetryAttempts: 2,
  maxEventAge: Duration.hours(1),
} as const;

/** Failed runs are kept long enough to be looked at after a long weekend. */
export const SCHEDULE_DLQ_RETENTION = Duration.days(14);

export class Schedules extends Construct {
  private readonly byKey = new Map<ScheduleKey, { schedule: Schedule; deadLetterQueue: Queue }>();

  constructor(
    scope: Construct,
    id: string,
    props: { readonly alarms: AlarmTopic; readonly fnOf: (key: FunctionKey) => IFunction },
  ) {
    super(scope, id);
    const scheduled = new Map<FunctionKey, ScheduleKey>();
    for (const [key, spec] of Object.entries(scheduleSpecs) as Array<[ScheduleKey, ScheduleSpec]>) {
      // A function has one set of asynchronous-invocation settings, hence one failure destination.
      const other = scheduled.get(spec.fn);
      if (other) {
        throw new Error(
          `Schedules "${other}" and "${key}" both invoke the function "${spec.fn}"; give each schedule its own function.`,
        );
      }
      scheduled.set(spec.fn, key);
      const fn = props.fnOf(spec.fn);

      const deadLetterQueue = new Queue(this, `${spec.id}DeadLetterQueue`, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: SCHEDULE_DLQ_RETENTION,
      });
      Validations.of(deadLetterQueue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason:
          'This queue is itself a dead-letter queue: the failure destination of a schedule and of its function (failed runs are kept here, alarmed, for inspection); nothing consumes it, so it needs no dead-letter queue of its own.',
      });

      fn.configureAsyncInvoke({
        retryAttempts: SCHEDULE_RETRIES.lambdaRetryAttempts,
        maxEventAge: SCHEDULE_RETRIES.maxEventAge,
        onFailure: new SqsDestination(deadLetterQueue),
      });

      const input: Record<keyof ScheduleInvocation, string> = {
        schedule: key,
        scheduledTime: ContextAttribute.scheduledTime,
      };
      const role = this.executionRole(spec);
      const schedule = new Schedule(this, spec.id, {
        description: `creditlink: ${spec.description}`,
        schedule: ScheduleExpression.expression(spec.expression, TimeZone.ETC_UTC),
        target: new LambdaInvoke(fn, {
          role,
          input: ScheduleTargetInput.fromObject(input),
          retryAttempts: SCHEDULE_RETRIES.schedulerRetryAttempts,
          maxEventAge: SCHEDULE_RETRIES.maxEventAge,
          deadLetterQueue,
        }),
      });
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).resolve((fn.node.defaultChild as CfnResource).logicalId)}.Arn>:*]`,
        reason: `Added by LambdaInvoke (Function.grantInvoke): the "${spec.fn}" function's own ARN plus its versions and aliases (":*"); no other function can be invoked.`,
      });

      alarms(props.alarms, this, spec, deadLetterQueue);
      this.byKey.set(key, { schedule, deadLetterQueue });
    }
  }

  /** The schedule declared under `key` in the wiring manifest, with its dead-letter queue. */
  get(key: ScheduleKey): { schedule: Schedule; deadLetterQueue: Queue } {
    const found = this.byKey.get(key);
    if (!found) throw new Error(`No schedule "${key}" in the wiring manifest.`);
    return found;
  }

  all(): Array<[ScheduleKey, { schedule: Schedule; deadLetterQueue: Queue }]> {
    return [...this.byKey.entries()];
  }

  /**
   * The role Scheduler assumes to invoke the target (and to write to the dead-letter queue). Our own
   * instead of the one LambdaInvoke would create at the stack's root, so it sits in this construct,
   * is named after its schedule, and carries its cdk-nag acknowledgement itself.
   */
  private executionRole(spec: ScheduleSpec): IRole {
    const stack = Stack.of(this);
    return new Role(this, `${spec.id}Role`, {
      description: `creditlink: EventBridge Scheduler invoking ${spec.fn} (${spec.id})`,
      // Only schedules of this account's default schedule group may assume it.
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: {
            'aws:SourceAccount': stack.account,
            'aws:SourceArn': stack.formatArn({
              service: 'scheduler',
              resource: 'schedule-group',
              resourceName: 'default',
            }),
          },
        },
      }),
    });
  }
}

function alarms(topic: AlarmTopic, scope: Construct, spec: ScheduleSpec, deadLetterQueue: Queue): void {
  topic.alarm(scope, `${spec.id}Failed`, {
    metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({
      period: ALARM_PERIOD,
      statistic: 'Maximum',
    }),
    threshold: 1,
    description:
      `A run of the schedule ${spec.id} (${spec.expression}: ${spec.description}) failed after its retries ` +
      `and is in its dead-letter queue. Read the "${spec.fn}" function's logs for the cause; the message ` +
      'holds the input and the error. Delete it once handled (or the job has run again successfully).',
  });
}
