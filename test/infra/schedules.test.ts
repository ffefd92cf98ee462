/**
 * The schedules of the wiring manifest in the synthesized stack: EventBridge Scheduler in UTC invoking
 * the function with the documented input, retries on both sides of the asynchronous invocation, one
 * encrypted TLS-only dead-letter queue for failed runs, alarms, and a role that can do nothing else.
 * One synthesis for the file.
 */
import { SCHEDULE_RETRIES } from '../../lib/constructs/schedules';
import { type ScheduleInvocation, type ScheduleKey, type ScheduleSpec, schedules } from '../../lib/wiring';
import { asArray, inspect, refersTo, statementsIn } from './inspect';
import { logicalId, removeSynthOutput, synthTemplate } from './synth';

const { stack, template } = synthTemplate();
afterAll(removeSynthOutput);
const { resource, props, ofType, functionId, statementsOfRole, rolesAllowedTo } = inspect(stack, template);

const scheduleEntries = Object.entries(schedules) as Array<[ScheduleKey, ScheduleSpec]>;
const topicId = logicalId(stack, stack.alarms.topic);

/** The Scheduler resource whose target is this function (exactly one). */
function scheduleOf(spec: ScheduleSpec): Record<string, unknown> {
  const found = ofType('AWS::Scheduler::Schedule').filter(([, s]) =>
    refersTo((s.Properties?.Target as { Arn?: unknown } | undefined)?.Arn, functionId(spec.fn)),
  );
  expect(found).toHaveLength(1);
  return found[0]?.[1].Properties ?? {};
}

describe.each(scheduleEntries)('schedule %s', (key, spec) => {
  const dlqId = () => logicalId(stack, stack.schedules.get(key).deadLetterQueue);
  const target = () => scheduleOf(spec).Target as Record<string, unknown>;

  test('runs the expression of the manifest in UTC, on time (no flexible window), enabled', () => {
    expect(scheduleOf(spec)).toMatchObject({
      ScheduleExpression: spec.expression,
      ScheduleExpressionTimezone: 'Etc/UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
    });
  });

  test('invokes its function with {schedule, scheduledTime} (not a ScheduledEvent)', () => {
    expect(target().Arn).toEqual({ 'Fn::GetAtt': [functionId(spec.fn), 'Arn'] });
    const input: ScheduleInvocation = JSON.parse(target().Input as string);
    expect(input).toEqual({ schedule: key, scheduledTime: '<aws.scheduler.scheduled-time>' });
  });

  test('retries delivery, then sends the event to its dead-letter queue', () => {
    expect(target()).toMatchObject({
      RetryPolicy: {
        MaximumRetryAttempts: SCHEDULE_RETRIES.schedulerRetryAttempts,
        MaximumEventAgeInSeconds: SCHEDULE_RETRIES.maxEventAge.toSeconds(),
      },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId(), 'Arn'] } },
    });
    expect(SCHEDULE_RETRIES.schedulerRetryAttempts).toBe(3);
    expect(SCHEDULE_RETRIES.maxEventAge.toSeconds()).toBe(3600);
  });

  test('a run in which the function fails is retried by Lambda, then lands in the same queue', () => {
    const configs = ofType('AWS::Lambda::EventInvokeConfig').filter(
      ([, c]) => JSON.stringify(c.Properties?.FunctionName) === JSON.stringify({ Ref: functionId(spec.fn) }),
    );
    expect(configs).toHaveLength(1);
    expect(configs[0]?.[1].Properties).toMatchObject({
      MaximumRetryAttempts: SCHEDULE_RETRIES.lambdaRetryAttempts,
      MaximumEventAgeInSeconds: SCHEDULE_RETRIES.maxEventAge.toSeconds(),
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlqId(), 'Arn'] } } },
    });
  });

  test('the dead-letter queue is encrypted, TLS-only, and kept 14 days', () => {
    expect(resource(dlqId()).Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 86_400,
    });
    const policy = ofType('AWS::SQS::QueuePolicy').find(
      ([, p]) => JSON.stringify(p.Properties?.Queues) === JSON.stringify([{ Ref: dlqId() }]),
    );
    expect(statementsIn(policy?.[1].Properties?.PolicyDocument)).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  test("only Scheduler's role and the function (its failure destination) may write to the dead-letter queue", () => {
    const roleId = (target().RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const fnRole = (props(functionId(spec.fn)).Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    expect(rolesAllowedTo('sqs:SendMessage', dlqId())).toEqual([roleId, fnRole].sort());
  });

  test("Scheduler's role is assumable only by Scheduler for this account, and may only invoke the function", () => {
    const roleId = (target().RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const trust = statementsIn(resource(roleId).Properties?.AssumeRolePolicyDocument);
    expect(trust).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: {
          StringEquals: expect.objectContaining({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }),
        },
      }),
    ]);
    const allowed = statementsOfRole(roleId).filter((s) => s.Effect === 'Allow');
    const actions = allowed.flatMap((s) => asArray(s.Action)).sort();
    expect(actions).toEqual(['lambda:InvokeFunction', 'sqs:SendMessage']);
    const invoke = allowed.find((s) => asArray(s.Action).includes('lambda:InvokeFunction'));
    for (const r of asArray(invoke?.Resource)) expect(refersTo(r, functionId(spec.fn))).toBe(true);
  });

  test('a failed run, and any error of the function, raise alarms to the alarm topic', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties ?? {});
    const onDlq = alarms.filter(
      (a) => a.MetricName === 'ApproximateNumberOfMessagesVisible' && refersTo(a.Dimensions, dlqId()),
    );
    expect(onDlq).toHaveLength(1);
    expect(onDlq[0]).toMatchObject({ Threshold: 1, AlarmActions: [{ Ref: topicId }] });
    const onErrors = alarms.filter(
      (a) => a.MetricName === 'Errors' && refersTo(a.Dimensions, functionId(spec.fn)),
    );
    expect(onErrors).toHaveLength(1);
    expect(onErrors[0]).toMatchObject({ AlarmActions: [{ Ref: topicId }] });
  });
});

describe('schedules, spelled out', () => {
  test('the outbox is re-driven every 5 minutes', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
      ScheduleExpressionTimezone: 'Etc/UTC',
      Target: { Arn: { 'Fn::GetAtt': [functionId('outboxRedrive'), 'Arn'] } },
    });
  });

  test('payouts run at 03:00 UTC on the 1st of each month, with the time Scheduler meant them for', () => {
    const spec = schedules.monthlyPayouts;
    const schedule = scheduleOf(spec);
    expect(schedule).toMatchObject({
      ScheduleExpression: 'cron(0 3 1 * ? *)',
      ScheduleExpressionTimezone: 'Etc/UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: {
        Arn: { 'Fn::GetAtt': [functionId('payoutSchedule'), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
      },
    });
    const target = schedule.Target as { Input: string; DeadLetterConfig: { Arn: unknown } };
    expect(JSON.parse(target.Input)).toEqual({
      schedule: 'monthlyPayouts',
      scheduledTime: '<aws.scheduler.scheduled-time>',
    });
    const dlqId = logicalId(stack, stack.schedules.get('monthlyPayouts').deadLetterQueue);
    expect(target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } });
    const failed = ofType('AWS::CloudWatch::Alarm').filter(
      ([, a]) =>
        a.Properties?.MetricName === 'ApproximateNumberOfMessagesVisible' &&
        refersTo(a.Properties.Dimensions, dlqId),
    );
    expect(failed.map(([, a]) => a.Properties)).toEqual([
      expect.objectContaining({
        Threshold: 1,
        AlarmActions: [{ Ref: topicId }],
        OKActions: [{ Ref: topicId }],
      }),
    ]);
  });

  test('there is one schedule per manifest entry and no other', () => {
    expect(ofType('AWS::Scheduler::Schedule')).toHaveLength(scheduleEntries.length);
  });
});
