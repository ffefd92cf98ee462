/**
 * Where every alarm of the stack goes: one SNS topic, encrypted with a customer managed KMS key and
 * refusing publishers without TLS, with an optional e-mail subscription. The constructs that own a
 * resource create its alarms (queues.ts, schedules.ts, monitoring.ts) through `AlarmTopic.alarm`,
 * so no alarm can be created without an action.
 */
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  type AlarmProps,
  ComparisonOperator,
  type IMetric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/** Most alarms look at 5-minute windows: short enough to page quickly, long enough to be cheap. */
export const ALARM_PERIOD = Duration.minutes(5);

export interface AlarmTopicProps {
  /** An address that receives every alarm (AWS sends a confirmation mail first). */
  readonly email?: string;
}

/** What an alarm watches and when it fires; the action (this topic) is always added. */
export interface AlarmSpec {
  readonly metric: IMetric;
  /** What is wrong and what to do about it: the e-mail an operator receives starts with this. */
  readonly description: string;
  readonly threshold: number;
  /** Default: greater than or equal to the threshold. */
  readonly comparisonOperator?: ComparisonOperator;
  /** Default: 1. */
  readonly evaluationPeriods?: number;
  /**
   * Default: not breaching. Queues and functions publish no data points while idle, and idle is
   * healthy; every alarm here watches something that does emit data when it goes wrong.
   */
  readonly treatMissingData?: TreatMissingData;
}

export class AlarmTopic extends Construct {
  readonly topic: Topic;
  readonly key: Key;
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: AlarmTopicProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    // A customer managed key, not the AWS managed alias/aws/sns: CloudWatch must be allowed to use
    // the key to publish, and the policy of an AWS managed key cannot say so.
    this.key = new Key(this, 'Key', {
      description: 'creditlink: encrypts the alarm topic',
      enableKeyRotation: true,
      // Retained like every other resource of the stack: deleting a key is irreversible, and a topic
      // recreated by a later deployment may still have messages encrypted under it in flight.
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(7),
    });
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToTheEncryptedTopic',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        // In a key policy "*" means this key. No condition here: which alarms may publish at all is
        // decided by the topic policy below, which SNS checks before it asks KMS for a data key.
        resources: ['*'],
      }),
    );

    this.topic = new Topic(this, 'Topic', {
      displayName: 'creditlink alarms',
      masterKey: this.key,
      // A topic policy denying publishers that do not use TLS (cdk-nag AwsSolutions-SNS3).
      enforceSSL: true,
    });
    // The topic policy above replaces SNS's default one, so CloudWatch is allowed explicitly, and only
    // for alarms of this account (confused-deputy protection).
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccountPublish',
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            // arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    if (props.email) this.topic.addSubscription(new EmailSubscription(props.email));
    this.action = new SnsAction(this.topic);
  }

  /** An alarm in `scope` that notifies this topic when it fires (and when it recovers). */
  alarm(scope: Construct, id: string, spec: AlarmSpec): Alarm {
    const props: AlarmProps = {
      metric: spec.metric,
      alarmDescription: spec.description,
      threshold: spec.threshold,
      comparisonOperator: spec.comparisonOperator ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: spec.evaluationPeriods ?? 1,
      treatMissingData: spec.treatMissingData ?? TreatMissingData.NOT_BREACHING,
    };
    const alarm = new Alarm(scope, id, props);
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    return alarm;
  }
}
