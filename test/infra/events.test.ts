/**
 * Outgoing events (CONTRACT §12) in the synthesized stack, spelled out: the orders and payouts
 * streams feed the `events` function, which writes a delivery per endpoint to the deliveries table
 * and queues its attempt; the `deliveries` function consumes that queue (partial batch responses)
 * and signs with a secret it opens with the seal key; the `deliveryRedrive` schedule re-queues what a
 * lost message left pending. One synthesis for the file (cdk-nag runs in it: an unacknowledged
 * finding fails synthesis).
 */
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { VISIBILITY_TIMEOUT_FACTOR } from '../../lib/constructs/queues';
import { MAX_ITERATOR_AGE } from '../../lib/constructs/streams';
import { type FunctionKey, functions, queues, schedules, secrets, streams, tables } from '../../lib/wiring';
import { asArray, inspect, refersTo, statementsIn } from './inspect';
import { logicalId, removeSynthOutput, synthTemplate } from './synth';

const { app, stack, template } = synthTemplate();
afterAll(removeSynthOutput);
const { props, resource, ofType, functionId, environment, roleOf, statementsOf, rolesAllowedTo } = inspect(
  stack,
  template,
);

const topicId = logicalId(stack, stack.alarms.topic);
const deliveriesQueue = queues.deliveries;

const alarmsOn = (metricName: string, dimensionId: string) =>
  ofType('AWS::CloudWatch::Alarm')
    .map(([, a]) => a.Properties ?? {})
    .filter((a) => a.MetricName === metricName && refersTo(a.Dimensions, dimensionId));

const mappingsOn = (sourceId: string) =>
  ofType('AWS::Lambda::EventSourceMapping')
    .map(([, m]) => m.Properties ?? {})
    .filter((m) => refersTo(m.EventSourceArn, sourceId));

const isTlsOnly = (queueId: string) =>
  ofType('AWS::SQS::QueuePolicy')
    .filter(([, p]) => JSON.stringify(p.Properties?.Queues) === JSON.stringify([{ Ref: queueId }]))
    .flatMap(([, p]) => statementsIn(p.Properties?.PolicyDocument))
    .some(
      (s) =>
        s.Effect === 'Deny' &&
        s.Action === 'sqs:*' &&
        JSON.stringify(s.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
    );

describe('the deliveries queue', () => {
  test('moves a message to its dead-letter queue after 5 receives; 180 s visibility, no queue-wide delay', () => {
    expect(props(deliveriesQueue.id)).toEqual({
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [deliveriesQueue.deadLetter.id, 'Arn'] },
        maxReceiveCount: 5,
      },
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 180,
    });
    // Each attempt carries its own DelaySeconds (up to 15 minutes): a queue-wide delay would add to all.
    expect(props(deliveriesQueue.id)).not.toHaveProperty('DelaySeconds');
    expect(props(deliveriesQueue.deadLetter.id)).toEqual({
      MessageRetentionPeriod: 14 * 86_400,
      SqsManagedSseEnabled: true,
    });
    expect(isTlsOnly(deliveriesQueue.id)).toBe(true);
    expect(isTlsOnly(deliveriesQueue.deadLetter.id)).toBe(true);
  });

  test("its visibility timeout is at least 6x the deliveries function's timeout, as synthesized", () => {
    const timeout = props(functionId('deliveries')).Timeout as number;
    expect(timeout).toBe(functions.deliveries.timeoutSeconds);
    expect(VISIBILITY_TIMEOUT_FACTOR).toBe(6);
    expect(props(deliveriesQueue.id).VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
  });

  test('a message in its dead-letter queue, or one waiting too long, raises an alarm to the topic', () => {
    const dead = alarmsOn('ApproximateNumberOfMessagesVisible', deliveriesQueue.deadLetter.id);
    expect(dead).toEqual([
      expect.objectContaining({
        Threshold: 1,
        Statistic: 'Maximum',
        AlarmActions: [{ Ref: topicId }],
        OKActions: [{ Ref: topicId }],
      }),
    ]);
    expect(alarmsOn('ApproximateAgeOfOldestMessage', deliveriesQueue.id)).toHaveLength(1);
  });

  test('the deliveries function consumes it in batches of 10 with partial batch responses, and nothing else does', () => {
    expect(mappingsOn(deliveriesQueue.id)).toEqual([
      {
        EventSourceArn: { 'Fn::GetAtt': [deliveriesQueue.id, 'Arn'] },
        FunctionName: { Ref: functionId('deliveries') },
        BatchSize: 10,
        MaximumBatchingWindowInSeconds: 0,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      },
    ]);
    for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility'])
      expect(rolesAllowedTo(action, deliveriesQueue.id)).toEqual([roleOf('deliveries')]);
    // The consumer learns maxReceiveCount, to tell the last receive before the dead-letter queue.
    expect(environment('deliveries').QUEUE_MAX_RECEIVE_COUNT).toBe('5');
  });

  test('exactly the functions that queue an attempt may send to it: events, deliveries, the redrive, and the two retry routes', () => {
    const senders: FunctionKey[] = ['admin', 'deliveries', 'deliveryRedrive', 'events', 'selfService'];
    expect(rolesAllowedTo('sqs:SendMessage', deliveriesQueue.id)).toEqual(senders.map(roleOf).sort());
    for (const key of senders)
      expect(environment(key)[deliveriesQueue.envVar]).toEqual({ Ref: deliveriesQueue.id });
    // Nobody may touch its dead-letter queue: SQS moves messages there, a redrive is an operator's job.
    expect(
      ofType('AWS::IAM::Policy').filter(([, p]) => refersTo(p.Properties, deliveriesQueue.deadLetter.id)),
    ).toEqual([]);
  });
});

describe.each([
  ['orders', streams.ordersEvents],
  ['payouts', streams.payoutsEvents],
] as const)('the %s stream feeding outgoing events', (table, spec) => {
  const tableId = tables[table].id;

  test('the table has a stream with old and new images (an event is decided from the change)', () => {
    expect(props(tableId).StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
  });

  test('one mapping of the events function: inserts and modifications only, partial responses, its own on-failure queue', () => {
    const mine = mappingsOn(tableId).filter(
      (m) => JSON.stringify(m.FunctionName) === JSON.stringify({ Ref: functionId('events') }),
    );
    expect(mine).toEqual([
      {
        EventSourceArn: { 'Fn::GetAtt': [tableId, 'StreamArn'] },
        FunctionName: { Ref: functionId('events') },
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 100,
        MaximumBatchingWindowInSeconds: 0,
        MaximumRetryAttempts: 10,
        MaximumRecordAgeInSeconds: 86_400,
        BisectBatchOnFunctionError: false,
        ParallelizationFactor: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        FilterCriteria: { Filters: [{ Pattern: '{"eventName":["INSERT","MODIFY"]}' }] },
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [spec.onFailure.id, 'Arn'] } } },
      },
    ]);
  });

  test('its on-failure queue is encrypted, TLS-only, kept 14 days, written only by the events function, and alarmed', () => {
    expect(props(spec.onFailure.id)).toEqual({
      MessageRetentionPeriod: 14 * 86_400,
      SqsManagedSseEnabled: true,
    });
    expect(isTlsOnly(spec.onFailure.id)).toBe(true);
    expect(rolesAllowedTo('sqs:SendMessage', spec.onFailure.id)).toEqual([roleOf('events')]);
    expect(alarmsOn('ApproximateNumberOfMessagesVisible', spec.onFailure.id)).toEqual([
      expect.objectContaining({
        Threshold: 1,
        AlarmActions: [{ Ref: topicId }],
        OKActions: [{ Ref: topicId }],
      }),
    ]);
  });
});

test('the orders stream feeds exactly the aggregator and the events function, the payouts stream only the events function', () => {
  const consumers = (tableId: string) =>
    mappingsOn(tableId)
      .map((m) => (m.FunctionName as { Ref: string }).Ref)
      .sort();
  expect(consumers(tables.orders.id)).toEqual([functionId('aggregator'), functionId('events')].sort());
  expect(consumers(tables.payouts.id)).toEqual([functionId('events')]);
});

test('the events function has an iterator-age alarm covering both streams it reads', () => {
  const alarms = alarmsOn('IteratorAge', functionId('events'));
  expect(alarms).toHaveLength(1);
  expect(alarms[0]).toMatchObject({
    Statistic: 'Maximum',
    Threshold: MAX_ITERATOR_AGE.toMilliseconds(),
    ComparisonOperator: 'GreaterThanThreshold',
    AlarmActions: [{ Ref: topicId }],
  });
  expect(alarms[0]?.AlarmDescription).toEqual(expect.stringContaining('orders: '));
  expect(alarms[0]?.AlarmDescription).toEqual(expect.stringContaining('payouts: '));
});

describe('the deliveries table', () => {
  const id = tables.deliveries.id;

  test('is keyed by endpoint and event, with the sparse due index and TTL on expiresAt, and no stream', () => {
    const p = props(id);
    expect(p.KeySchema).toEqual([
      { AttributeName: 'endpointId', KeyType: 'HASH' },
      { AttributeName: 'eventId', KeyType: 'RANGE' },
    ]);
    expect(p.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'due',
        KeySchema: [
          { AttributeName: 'dueShard', KeyType: 'HASH' },
          { AttributeName: 'dueAt', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ]);
    const names = ['endpointId', 'eventId', 'dueShard', 'dueAt'];
    expect(p.AttributeDefinitions).toHaveLength(names.length);
    expect(p.AttributeDefinitions).toEqual(
      expect.arrayContaining(names.map((name) => ({ AttributeName: name, AttributeType: 'S' }))),
    );
    expect(p.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    expect(p).not.toHaveProperty('StreamSpecification');
    expect(p).not.toHaveProperty('TableName');
  });

  test('is on demand, point-in-time recoverable, encrypted, deletion-protected and retained, as the orders table is', () => {
    const durability = (tableId: string) => {
      const r = resource(tableId);
      const q = r.Properties ?? {};
      return {
        DeletionPolicy: r.DeletionPolicy,
        UpdateReplacePolicy: r.UpdateReplacePolicy,
        BillingMode: q.BillingMode,
        PointInTimeRecoverySpecification: q.PointInTimeRecoverySpecification,
        SSESpecification: q.SSESpecification,
        DeletionProtectionEnabled: q.DeletionProtectionEnabled,
      };
    };
    expect(durability(id)).toEqual({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      DeletionProtectionEnabled: true,
    });
    expect(durability(id)).toEqual(durability(tables.orders.id));
  });

  test('no function may delete or batch-write deliveries (the log expires through TTL)', () => {
    for (const action of ['dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'])
      expect(rolesAllowedTo(action, id)).toEqual([]);
  });
});

describe('the delivery redrive schedule', () => {
  const spec = schedules.deliveryRedrive;
  const scheduleOf = () => {
    const found = ofType('AWS::Scheduler::Schedule')
      .map(([, s]) => s.Properties ?? {})
      .filter((s) => refersTo((s.Target as { Arn: unknown }).Arn, functionId('deliveryRedrive')));
    expect(found).toHaveLength(1);
    return found[0] ?? {};
  };

  test('runs the deliveryRedrive function every 10 minutes (UTC, on time) with the time it was meant for', () => {
    const schedule = scheduleOf();
    expect(schedule).toMatchObject({
      ScheduleExpression: 'rate(10 minutes)',
      ScheduleExpressionTimezone: 'Etc/UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: {
        Arn: { 'Fn::GetAtt': [functionId('deliveryRedrive'), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
      },
    });
    expect(spec.expression).toBe('rate(10 minutes)');
    expect(JSON.parse((schedule.Target as { Input: string }).Input)).toEqual({
      schedule: 'deliveryRedrive',
      scheduledTime: '<aws.scheduler.scheduled-time>',
    });
  });

  test('a run that cannot be delivered lands in its dead-letter queue, which is alarmed', () => {
    const dlqId = logicalId(stack, stack.schedules.get('deliveryRedrive').deadLetterQueue);
    expect((scheduleOf().Target as { DeadLetterConfig: unknown }).DeadLetterConfig).toEqual({
      Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
    });
    expect(alarmsOn('ApproximateNumberOfMessagesVisible', dlqId)).toEqual([
      expect.objectContaining({ Threshold: 1, AlarmActions: [{ Ref: topicId }] }),
    ]);
  });

  test('the redrive only queries the due index and queues attempts', () => {
    const onTable = statementsOf('deliveryRedrive').filter((s) =>
      asArray(s.Resource).some((r) => refersTo(r, tables.deliveries.id)),
    );
    expect(onTable.flatMap((s) => asArray(s.Action))).toEqual(['dynamodb:Query']);
  });
});

describe('the deliveries function: least privilege', () => {
  /** Every resource its role names, with the actions allowed on it. */
  const grants = () => {
    const found: Record<string, string[]> = {};
    for (const s of statementsOf('deliveries')) {
      expect(s.Effect).toBe('Allow');
      for (const r of asArray(s.Resource)) {
        const key = JSON.stringify(r);
        found[key] = [...(found[key] ?? []), ...asArray(s.Action)].sort();
      }
    }
    return found;
  };
  const arn = (id: string, attribute = 'Arn') => JSON.stringify({ 'Fn::GetAtt': [id, attribute] });

  test('its role allows exactly its log group, tracing, the endpoint, its delivery, its queue and the seal key', () => {
    const logGroupId = (props(functionId('deliveries')).LoggingConfig as { LogGroup: { Ref: string } })
      .LogGroup.Ref;
    expect(grants()).toEqual({
      [arn(logGroupId)]: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      // X-Ray's trace actions have no resource-level permissions.
      '"*"': ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
      [arn(tables.config.id)]: ['dynamodb:GetItem'],
      [arn(tables.deliveries.id)]: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      [arn(deliveriesQueue.id)]: [
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:ReceiveMessage',
        'sqs:SendMessage',
      ],
      [JSON.stringify({ Ref: secrets.webhookSealKey.id })]: [
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
      ],
    });
  });

  test('it can read the seal key secret and no other, and learns only that secret id', () => {
    const secretActions = statementsOf('deliveries').filter((s) =>
      asArray(s.Action).some((a) => a.startsWith('secretsmanager:') || a.startsWith('kms:')),
    );
    expect(secretActions.flatMap((s) => asArray(s.Resource))).toEqual([{ Ref: secrets.webhookSealKey.id }]);
    for (const [key, secret] of Object.entries(secrets)) {
      if (key === 'webhookSealKey')
        expect(environment('deliveries')[secret.idEnvVar]).toEqual({ Ref: secret.id });
      else expect(environment('deliveries')).not.toHaveProperty(secret.idEnvVar);
      expect(environment('deliveries')).not.toHaveProperty(secret.valueEnvVar);
    }
    expect(functions.deliveries.secrets).toEqual(['webhookSealKey']);
  });

  test('it reads no stream and no other table: the events function decides, it only delivers', () => {
    for (const [key, t] of Object.entries(tables)) {
      if (key === 'config' || key === 'deliveries') continue;
      expect(
        statementsOf('deliveries').filter((s) => asArray(s.Resource).some((r) => refersTo(r, t.id))),
      ).toEqual([]);
    }
    expect(Object.values(streams).some((s) => (s.consumer as FunctionKey) === 'deliveries')).toBe(false);
  });
});

describe('cdk-nag', () => {
  /** The acknowledgements recorded on or below a construct path, as "path rule". */
  const acknowledgedUnder = (prefix: string) =>
    app.node
      .findAll()
      .filter((c) => c.node.path === prefix || c.node.path.startsWith(`${prefix}/`))
      .flatMap((c) =>
        c.node.metadata
          .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((m) =>
            Object.keys(m.data as Record<string, string>).map((rule) => rule.replace(/^annotation::/i, '')),
          ),
      )
      .sort();

  test('finds nothing unacknowledged on the new functions, queues, table and schedule', () => {
    const paths = [
      'Creditlink/EventsFunction',
      'Creditlink/DeliveriesFunction',
      'Creditlink/DeliveryRedriveFunction',
      `Creditlink/Queues/${deliveriesQueue.id}`,
      `Creditlink/Queues/${deliveriesQueue.deadLetter.id}`,
      `Creditlink/Streams/${streams.ordersEvents.onFailure.id}`,
      `Creditlink/Streams/${streams.payoutsEvents.onFailure.id}`,
      'Creditlink/Schedules/DeliveryRedriveSchedule',
      `Creditlink/Tables/${tables.deliveries.id}`,
    ];
    for (const path of paths) expect(app.node.findAll().some((c) => c.node.path.startsWith(path))).toBe(true);
    const findings = new AwsSolutionsChecks()
      .validateScope(app)
      .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath ?? ''}`))
      .filter((f) => paths.some((path) => f.includes(` ${path}`)));
    expect(findings).toEqual([]);
  });

  test('the new parts acknowledge only wildcard resources that cannot be narrowed, and dead-letter queues', () => {
    const wildcard = 'AwsSolutions-IAM5[Resource::*]';
    // X-Ray, and for a stream consumer ListStreams: neither has resource-level permissions.
    expect(acknowledgedUnder('Creditlink/DeliveriesFunctionRole')).toEqual([wildcard]);
    expect(acknowledgedUnder('Creditlink/EventsFunctionRole')).toEqual(
      [
        wildcard,
        wildcard,
        // A Query grant covers the table's indexes too (lib/wiring.ts TableAction).
        'AwsSolutions-IAM5[Resource::<ConfigTable.Arn>/index/*]',
        'AwsSolutions-IAM5[Resource::<OrdersTable.Arn>/index/*]',
      ].sort(),
    );
    expect(acknowledgedUnder('Creditlink/DeliveryRedriveFunctionRole')).toEqual(
      [wildcard, 'AwsSolutions-IAM5[Resource::<DeliveriesTable.Arn>/index/*]'].sort(),
    );
    for (const queue of [streams.ordersEvents.onFailure.id, streams.payoutsEvents.onFailure.id])
      expect(acknowledgedUnder(`Creditlink/Streams/${queue}`)).toEqual(['AwsSolutions-SQS3']);
    // The deliveries queue has its dead-letter queue: nothing to acknowledge on it.
    expect(acknowledgedUnder(`Creditlink/Queues/${deliveriesQueue.id}`)).toEqual([]);
    expect(acknowledgedUnder(`Creditlink/Queues/${deliveriesQueue.deadLetter.id}`)).toEqual([]);
  });
});
