/**
 * The alarm topic and the alarms on the request path: an encrypted, TLS-only topic that CloudWatch
 * may publish to, every alarm of the stack notifying it, an `Errors` alarm per function of the
 * manifest, one on the HTTP API's 5xx rate, and the optional e-mail subscription.
 */
import { CfnSubscription } from 'aws-cdk-lib/aws-sns';
import { API_5XX } from '../../lib/constructs/monitoring';
import { type FunctionKey, functions } from '../../lib/wiring';
import { inspect, refersTo, statementsIn } from './inspect';
import { buildApp, logicalId, removeSynthOutput, synthTemplate } from './synth';

const { stack, template } = synthTemplate();
afterAll(removeSynthOutput);
const { props, ofType, functionId } = inspect(stack, template);

const functionKeys = Object.keys(functions) as FunctionKey[];
const topicId = logicalId(stack, stack.alarms.topic);
const keyId = logicalId(stack, stack.alarms.key);
const alarms = () => ofType('AWS::CloudWatch::Alarm').map(([id, a]) => [id, a.Properties ?? {}] as const);

describe('alarm topic', () => {
  test('is encrypted with a rotating customer managed key that CloudWatch may use', () => {
    expect(props(topicId).KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(props(keyId).EnableKeyRotation).toBe(true);
    const keyPolicy = statementsIn(props(keyId).KeyPolicy);
    expect(keyPolicy).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      }),
    );
  });

  test('refuses publishers without TLS, and lets only alarms of this account publish', () => {
    const policies = ofType('AWS::SNS::TopicPolicy').filter(([, p]) =>
      refersTo(p.Properties?.Topics, topicId),
    );
    expect(policies).toHaveLength(1);
    const statements = statementsIn(policies[0]?.[1].Properties?.PolicyDocument);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 'sns:Publish',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    const cloudWatch = statements.find((s) => s.Effect === 'Allow');
    expect(cloudWatch).toMatchObject({
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: 'sns:Publish',
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    });
    // arn:<partition>:cloudwatch:<region>:<account>:alarm:* (alarm ARNs use a colon, not a slash).
    expect(JSON.stringify(cloudWatch?.Condition?.ArnLike)).toMatch(/:cloudwatch:.*:alarm:\*"/);
  });

  test('has no subscription unless an e-mail is given', () => {
    expect(ofType('AWS::SNS::Subscription')).toHaveLength(0);
  });

  test('its ARN is a stack output', () => {
    template.hasOutput('AlarmTopicArn', { Value: { Ref: topicId } });
  });
});

describe('alarms', () => {
  test('every alarm of the stack notifies the alarm topic when it fires and when it recovers', () => {
    expect(alarms().length).toBeGreaterThan(0);
    for (const [id, a] of alarms()) {
      expect({ id, actions: a.AlarmActions, ok: a.OKActions }).toEqual({
        id,
        actions: [{ Ref: topicId }],
        ok: [{ Ref: topicId }],
      });
      expect(String(a.AlarmDescription ?? '').length).toBeGreaterThan(40);
    }
  });

  test.each(functionKeys)('the %s function has an Errors alarm (any error in 5 minutes)', (key) => {
    const matching = alarms().filter(
      ([, a]) => a.MetricName === 'Errors' && refersTo(a.Dimensions, functionId(key)),
    );
    expect(matching).toHaveLength(1);
    expect(matching[0]?.[1]).toMatchObject({
      Namespace: 'AWS/Lambda',
      Statistic: 'Sum',
      Period: 300,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  test('the HTTP API alarms on its 5xx rate, once there are enough errors to mean something', () => {
    const apiId = logicalId(stack, stack.api.httpApi);
    const matching = alarms().filter(([, a]) => refersTo(a.Metrics, apiId));
    expect(matching).toHaveLength(1);
    const alarm = matching[0]?.[1] ?? {};
    expect(alarm).toMatchObject({ Threshold: API_5XX.ratePercent, EvaluationPeriods: 1 });
    const metrics = alarm.Metrics as Array<{
      Id: string;
      Expression?: string;
      MetricStat?: { Metric: { MetricName: string; Namespace: string }; Stat: string; Period: number };
    }>;
    const byId = Object.fromEntries(metrics.map((m) => [m.Id, m]));
    expect(byId.errors?.MetricStat).toMatchObject({
      Metric: { Namespace: 'AWS/ApiGateway', MetricName: '5xx' },
      Stat: 'Sum',
      Period: 300,
    });
    expect(byId.requests?.MetricStat).toMatchObject({ Metric: { MetricName: 'Count' }, Stat: 'Sum' });
    expect(metrics.find((m) => m.Expression)?.Expression).toBe(
      `IF(errors >= ${API_5XX.minErrors}, 100 * errors / requests, 0)`,
    );
  });
});

describe('alarmEmail', () => {
  test('the context value subscribes that address to the alarm topic', () => {
    // The construct tree is enough here (a second full synthesis would double this file's run time).
    const { stack: s } = buildApp({ context: { alarmEmail: 'ops@example.com' } });
    const subscriptions = s.node.findAll().filter((c): c is CfnSubscription => c instanceof CfnSubscription);
    expect(subscriptions).toHaveLength(1);
    const [subscription] = subscriptions;
    expect(s.resolve(subscription?.protocol)).toBe('email');
    expect(s.resolve(subscription?.endpoint)).toBe('ops@example.com');
    expect(s.resolve(subscription?.topicArn)).toEqual({ Ref: logicalId(s, s.alarms.topic) });
  });

  test('anything but an e-mail address is refused', () => {
    expect(() => buildApp({ context: { alarmEmail: 'not an address' } })).toThrow(/e-mail address/);
  });
});
