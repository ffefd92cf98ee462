/**
 * The queues of the wiring manifest in the synthesized stack: each with its dead-letter queue,
 * encrypted, TLS-only, consumed in batches with partial batch responses by its consumer only, sent to
 * by the functions that declare `sends` and by nothing else, and alarmed. One synthesis for the file.
 */

import { assertVisibilityCoversConsumer, MAX_MESSAGE_AGE } from '../../lib/constructs/queues';
import {
  type FunctionKey,
  type FunctionSpec,
  functions,
  type QueueKey,
  type QueueSpec,
  queueConsumers,
  queues,
  streams,
} from '../../lib/wiring';
import { asArray, inspect, refersTo, type Statement, statementsIn } from './inspect';
import { buildApp, logicalId, removeSynthOutput, synthTemplate } from './synth';

const { stack, template } = synthTemplate();
afterAll(removeSynthOutput);
const { props, ofType, functionId, roleOf, rolesAllowedTo } = inspect(stack, template);

const queueEntries = Object.entries(queues) as Array<[QueueKey, QueueSpec]>;
const functionKeys = Object.keys(functions) as FunctionKey[];
const topicId = logicalId(stack, stack.alarms.topic);

/** The TLS-only statement CDK's `enforceSSL` writes: deny every SQS action without SecureTransport. */
function queuePolicyOf(queueId: string): Statement[] {
  const policies = ofType('AWS::SQS::QueuePolicy').filter(
    ([, p]) => JSON.stringify(p.Properties?.Queues) === JSON.stringify([{ Ref: queueId }]),
  );
  expect(policies).toHaveLength(1);
  return statementsIn(policies[0]?.[1].Properties?.PolicyDocument);
}

function alarmsOn(queueId: string, metricName: string) {
  return ofType('AWS::CloudWatch::Alarm')
    .map(([, a]) => a.Properties ?? {})
    .filter((a) => a.MetricName === metricName && refersTo(a.Dimensions, queueId));
}

describe.each(queueEntries)('queue %s', (key, spec) => {
  const consumer = queueConsumers[key];

  test('exists under the logical id of the manifest, with its dead-letter queue after maxReceiveCount', () => {
    expect(props(spec.id)).toMatchObject({
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [spec.deadLetter.id, 'Arn'] },
        maxReceiveCount: spec.maxReceiveCount,
      },
      VisibilityTimeout: spec.visibilityTimeoutSeconds,
    });
    expect(props(spec.deadLetter.id)).toMatchObject({
      MessageRetentionPeriod: spec.deadLetter.retentionDays * 86_400,
    });
    // The dead-letter queue keeps a message longer than the queue would (the default 4 days): SQS
    // keeps a message's original enqueue time when it moves it.
    expect(spec.deadLetter.retentionDays).toBeGreaterThan(4);
    expect(props(spec.deadLetter.id)).not.toHaveProperty('RedrivePolicy');
  });

  test("the visibility timeout is at least 6x the consumer's timeout, as synthesized", () => {
    const timeout = props(functionId(consumer)).Timeout as number;
    expect(timeout).toBe(functions[consumer].timeoutSeconds);
    expect(props(spec.id).VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
  });

  test.each([
    ['queue', spec.id],
    ['dead-letter queue', spec.deadLetter.id],
  ])('the %s is encrypted (SSE-SQS) and refuses requests without TLS', (_, id) => {
    expect(props(id)).toMatchObject({ SqsManagedSseEnabled: true });
    expect(queuePolicyOf(id)).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 'sqs:*',
        Principal: { AWS: '*' },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        Resource: { 'Fn::GetAtt': [id, 'Arn'] },
      }),
    );
  });

  test('its consumer polls it in batches and reports failed messages one by one', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping').filter(([, m]) =>
      refersTo(m.Properties?.EventSourceArn, spec.id),
    );
    expect(mappings).toHaveLength(1);
    expect(mappings[0]?.[1].Properties).toEqual({
      EventSourceArn: { 'Fn::GetAtt': [spec.id, 'Arn'] },
      FunctionName: { Ref: functionId(consumer) },
      BatchSize: spec.batchSize,
      MaximumBatchingWindowInSeconds: spec.maxBatchingWindowSeconds,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  test('the functions that declare `sends` may send to it, and no other role in the stack may', () => {
    const senders = functionKeys.filter((k) => ((functions[k] as FunctionSpec).sends ?? []).includes(key));
    expect(senders.length).toBeGreaterThan(0);
    expect(rolesAllowedTo('sqs:SendMessage', spec.id)).toEqual(senders.map(roleOf).sort());
    expect(rolesAllowedTo('sqs:SendMessage', spec.deadLetter.id)).toEqual([]);
  });

  test('only its consumer may receive and delete its messages', () => {
    for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']) {
      expect(rolesAllowedTo(action, spec.id)).toEqual([roleOf(consumer)]);
      expect(rolesAllowedTo(action, spec.deadLetter.id)).toEqual([]);
    }
  });

  test('a message in the dead-letter queue raises an alarm to the alarm topic', () => {
    const alarms = alarmsOn(spec.deadLetter.id, 'ApproximateNumberOfMessagesVisible');
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({
      Namespace: 'AWS/SQS',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
      AlarmActions: [{ Ref: topicId }],
    });
  });

  test('a message waiting too long in the queue raises an alarm to the alarm topic', () => {
    const alarms = alarmsOn(spec.id, 'ApproximateAgeOfOldestMessage');
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: MAX_MESSAGE_AGE.toSeconds(),
      AlarmActions: [{ Ref: topicId }],
    });
  });
});

describe('the orders queue, spelled out', () => {
  test('ingest and outboxRedrive can send to it, with its URL in ORDERS_QUEUE_URL', () => {
    const orders = queues.orders;
    expect(rolesAllowedTo('sqs:SendMessage', orders.id)).toEqual(
      [roleOf('ingest'), roleOf('outboxRedrive')].sort(),
    );
    for (const key of ['ingest', 'outboxRedrive'] as const) {
      const env = (props(functionId(key)).Environment as { Variables: Record<string, unknown> }).Variables;
      expect(env.ORDERS_QUEUE_URL).toEqual({ Ref: orders.id });
    }
  });

  test('attribution consumes it: five receives before the dead-letter queue, 180 s visibility', () => {
    expect(props(queues.orders.id)).toMatchObject({
      RedrivePolicy: { maxReceiveCount: 5 },
      VisibilityTimeout: 180,
    });
    expect(props(functionId('attribution')).Timeout).toBe(30);
  });
});

describe('the payout jobs queue, spelled out', () => {
  test('payouts, payoutSchedule and payoutWorker (continuing a run) can send to it, with its URL in PAYOUT_JOBS_QUEUE_URL', () => {
    const jobs = queues.payoutJobs;
    expect(rolesAllowedTo('sqs:SendMessage', jobs.id)).toEqual(
      [roleOf('payouts'), roleOf('payoutSchedule'), roleOf('payoutWorker')].sort(),
    );
    for (const key of ['payouts', 'payoutSchedule', 'payoutWorker'] as const) {
      const env = (props(functionId(key)).Environment as { Variables: Record<string, unknown> }).Variables;
      expect(env.PAYOUT_JOBS_QUEUE_URL).toEqual({ Ref: 'PayoutJobsQueue' });
    }
  });

  test('payoutWorker consumes it five jobs at a time without waiting, 720 s visibility (6 x its 120 s)', () => {
    expect(props('PayoutJobsQueue')).toMatchObject({
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': ['PayoutJobsDeadLetterQueue', 'Arn'] },
        maxReceiveCount: 5,
      },
      VisibilityTimeout: 720,
    });
    expect(props('PayoutJobsDeadLetterQueue')).toMatchObject({ MessageRetentionPeriod: 14 * 86_400 });
    expect(props(functionId('payoutWorker')).Timeout).toBe(120);
    const mappings = ofType('AWS::Lambda::EventSourceMapping').filter(
      ([, m]) =>
        JSON.stringify(m.Properties?.FunctionName) === JSON.stringify({ Ref: functionId('payoutWorker') }),
    );
    expect(mappings.map(([, m]) => m.Properties)).toEqual([
      {
        EventSourceArn: { 'Fn::GetAtt': ['PayoutJobsQueue', 'Arn'] },
        FunctionName: { Ref: functionId('payoutWorker') },
        BatchSize: 5,
        MaximumBatchingWindowInSeconds: 0,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      },
    ]);
    for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']) {
      expect(rolesAllowedTo(action, 'PayoutJobsQueue')).toEqual([roleOf('payoutWorker')]);
    }
  });
});

describe('all queues', () => {
  test("every queue in the template is a manifest queue, its dead-letter queue, a schedule's or a stream's", () => {
    const scheduleQueues = [...stack.schedules.all()].map(([, s]) => logicalId(stack, s.deadLetterQueue));
    // Each DynamoDB stream's on-failure destination (lib/constructs/streams.ts).
    const streamQueues = Object.values(streams).map((s) => s.onFailure.id);
    const expected = [
      ...queueEntries.flatMap(([, s]) => [s.id, s.deadLetter.id]),
      ...scheduleQueues,
      ...streamQueues,
    ].sort();
    expect(
      ofType('AWS::SQS::Queue')
        .map(([id]) => id)
        .sort(),
    ).toEqual(expected);
  });

  test('no policy grants a wildcard SQS action', () => {
    for (const [, p] of ofType('AWS::IAM::Policy')) {
      const statements = statementsIn(p.Properties?.PolicyDocument);
      for (const s of statements) for (const a of asArray(s.Action)) expect(a).not.toMatch(/^sqs:.*\*/);
    }
  });
});

describe('visibility timeout check', () => {
  const queue = queues.orders;
  const consumer = functions[queueConsumers.orders];

  test('passes at exactly 6x the consumer timeout', () => {
    expect(() =>
      assertVisibilityCoversConsumer(
        'orders',
        { ...queue, visibilityTimeoutSeconds: 180 },
        {
          ...consumer,
          timeoutSeconds: 30,
        },
      ),
    ).not.toThrow();
  });

  test('throws with the numbers and what to change below it', () => {
    expect(() =>
      assertVisibilityCoversConsumer(
        'orders',
        { ...queue, visibilityTimeoutSeconds: 179 },
        {
          ...consumer,
          timeoutSeconds: 30,
        },
      ),
    ).toThrow(
      /Queue "orders": visibilityTimeoutSeconds is 179 s.*timeout of 30 s.*\(180 s\).*lib\/wiring\.ts/,
    );
  });

  test('is applied when the stack is built from the manifest', () => {
    const replaced = jest.replaceProperty(
      functions[queueConsumers.orders] as { timeoutSeconds: number },
      'timeoutSeconds',
      queue.visibilityTimeoutSeconds,
    );
    try {
      expect(() => buildApp()).toThrow(/at least 6 x that/);
    } finally {
      replaced.restore();
    }
  });
});
