/**
 * The DynamoDB streams of the wiring manifest in the synthesized stack: each an event source mapping
 * with the manifest's batching, retries and filter, partial batch responses, no bisecting and one
 * batch per shard (the aggregator's exactly-once proof needs both), an encrypted TLS-only on-failure
 * queue with an alarm, an iterator-age alarm on the consumer; and least privilege for the counters.
 * A table's stream may feed several consumers (the orders stream feeds the aggregator and the
 * outgoing events): each reads it through a mapping, an on-failure queue and an alarm of its own.
 * One synthesis for the file (cdk-nag runs in it: an unacknowledged finding fails synthesis).
 */
import { MAX_ITERATOR_AGE } from '../../lib/constructs/streams';
import {
  type FunctionKey,
  functions,
  type StreamKey,
  type StreamSpec,
  streams,
  type TableSpec,
  tables,
} from '../../lib/wiring';
import { inspect, refersTo, type Statement, statementsIn } from './inspect';
import { logicalId, removeSynthOutput, synthTemplate } from './synth';

const { stack, template } = synthTemplate();
afterAll(removeSynthOutput);
const { props, ofType, functionId, roleOf, actionsOn, rolesAllowedTo, environment } = inspect(
  stack,
  template,
);

const streamEntries = Object.entries(streams) as Array<[StreamKey, StreamSpec]>;
const topicId = logicalId(stack, stack.alarms.topic);
const STREAM_READ = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'];
const WRITES = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

/** The roles whose policies allow `action` on the stream of the table with this logical id. */
function rolesReadingStream(action: string, tableId: string): string[] {
  const streamArn = JSON.stringify({ 'Fn::GetAtt': [tableId, 'StreamArn'] });
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) =>
      statementsIn(p.Properties?.PolicyDocument).some(
        (s) =>
          s.Effect === 'Allow' &&
          [s.Action].flat().includes(action) &&
          [s.Resource].flat().some((r) => JSON.stringify(r) === streamArn),
      ),
    )
    .flatMap(([, p]) => ((p.Properties?.Roles ?? []) as Array<{ Ref: string }>).map((r) => r.Ref))
    .sort();
}

const mappingsOf = (tableId: string) =>
  ofType('AWS::Lambda::EventSourceMapping').filter(([, m]) =>
    refersTo(m.Properties?.EventSourceArn, tableId),
  );
/** The mappings through which one function reads the stream of the table with this logical id. */
const mappingsOfConsumer = (tableId: string, consumer: FunctionKey) =>
  mappingsOf(tableId).filter(
    ([, m]) => JSON.stringify(m.Properties?.FunctionName) === JSON.stringify({ Ref: functionId(consumer) }),
  );
/** The functions the manifest lets read a table's stream (each through a stream spec of its own). */
const consumersOfTable = (table: StreamSpec['table']) =>
  [...new Set(streamEntries.filter(([, s]) => s.table === table).map(([, s]) => s.consumer))].sort();

describe.each(streamEntries)('stream %s', (key, spec) => {
  const tableId = tables[spec.table].id;
  const queueId = spec.onFailure.id;

  test('its table has a stream with the view the aggregator decodes', () => {
    expect((tables[spec.table] as TableSpec).stream).toBeDefined();
    expect(props(tableId).StreamSpecification).toEqual({
      StreamViewType: (tables[spec.table] as TableSpec).stream,
    });
  });

  test('one event source mapping of its consumer: batching, retries, age, no bisecting, one batch per shard, partial responses', () => {
    const mappings = mappingsOfConsumer(tableId, spec.consumer);
    expect(mappings).toHaveLength(1);
    expect(mappings[0]?.[1].Properties).toEqual({
      EventSourceArn: { 'Fn::GetAtt': [tableId, 'StreamArn'] },
      FunctionName: { Ref: functionId(spec.consumer) },
      StartingPosition: spec.startingPosition,
      BatchSize: spec.batchSize,
      MaximumBatchingWindowInSeconds: spec.maxBatchingWindowSeconds,
      MaximumRetryAttempts: spec.retryAttempts,
      MaximumRecordAgeInSeconds: spec.maxRecordAgeSeconds,
      BisectBatchOnFunctionError: false,
      ParallelizationFactor: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
      ...(spec.eventNames
        ? { FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: [...spec.eventNames] }) }] } }
        : {}),
    });
  });

  test('its on-failure queue is encrypted (SSE-SQS), TLS-only, kept for the manifest retention, alarmed', () => {
    expect(props(queueId)).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: spec.onFailure.retentionDays * 86_400,
    });
    const policies = ofType('AWS::SQS::QueuePolicy').filter(
      ([, p]) => JSON.stringify(p.Properties?.Queues) === JSON.stringify([{ Ref: queueId }]),
    );
    expect(policies).toHaveLength(1);
    expect(statementsIn(policies[0]?.[1].Properties?.PolicyDocument)).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 'sqs:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    const alarms = ofType('AWS::CloudWatch::Alarm')
      .map(([, a]) => a.Properties ?? {})
      .filter(
        (a) => a.MetricName === 'ApproximateNumberOfMessagesVisible' && refersTo(a.Dimensions, queueId),
      );
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({
      Threshold: 1,
      AlarmActions: [{ Ref: topicId }],
      OKActions: [{ Ref: topicId }],
    });
  });

  test("only the table's stream consumers may read the stream; only this one sends to its on-failure queue", () => {
    const readers = consumersOfTable(spec.table).map(roleOf).sort();
    expect(readers).toContain(roleOf(spec.consumer));
    for (const action of STREAM_READ) expect(rolesReadingStream(action, tableId)).toEqual(readers);
    expect(rolesAllowedTo('sqs:SendMessage', queueId)).toEqual([roleOf(spec.consumer)]);
  });

  test('a click shows within 10 seconds: batching window and local poll interval stay short', () => {
    expect(spec.maxBatchingWindowSeconds).toBeLessThanOrEqual(2);
    expect(spec.localPollIntervalMs).toBeLessThanOrEqual(1000);
  });

  void key;
});

test('the clicks stream only wakes the aggregator for inserts (TTL deletions are filtered out)', () => {
  const [mapping] = mappingsOfConsumer(tables.clicks.id, 'aggregator');
  expect(mapping?.[1].Properties?.FilterCriteria).toEqual({
    Filters: [{ Pattern: '{"eventName":["INSERT"]}' }],
  });
  // The aggregator counts every change of an order; the events consumer beside it on the same
  // stream gets only inserts and modifications: each mapping carries its own filter.
  const orders = mappingsOfConsumer(tables.orders.id, 'aggregator');
  expect(orders).toHaveLength(1);
  expect(orders[0]?.[1].Properties?.FilterCriteria).toBeUndefined();
  expect(mappingsOfConsumer(tables.orders.id, 'events')[0]?.[1].Properties?.FilterCriteria).toEqual({
    Filters: [{ Pattern: '{"eventName":["INSERT","MODIFY"]}' }],
  });
});

describe.each(Object.entries(tables).filter(([, t]) => (t as TableSpec).stream))(
  'the %s table stream',
  (table, tspec) => {
    const declared = streamEntries.filter(([, s]) => s.table === table);

    test('has one mapping per stream of the manifest, each to its own on-failure queue, and no other', () => {
      const mappings = mappingsOf(tspec.id);
      expect(mappings).toHaveLength(declared.length);
      const destinations = mappings.map(([, m]) => JSON.stringify(m.Properties?.DestinationConfig));
      expect(new Set(destinations).size).toBe(declared.length);
      expect(destinations.sort()).toEqual(
        declared
          .map(([, s]) =>
            JSON.stringify({ OnFailure: { Destination: { 'Fn::GetAtt': [s.onFailure.id, 'Arn'] } } }),
          )
          .sort(),
      );
    });

    test("has at most two consumers (more would share the stream's read throughput and be throttled)", () => {
      expect(declared.length).toBeGreaterThan(0);
      expect(declared.length).toBeLessThanOrEqual(2);
      // A consumer reads a table's stream once: two mappings of one function would see each record twice.
      expect(new Set(declared.map(([, s]) => s.consumer)).size).toBe(declared.length);
    });
  },
);

test('each stream consumer has one iterator-age alarm (Lambda reports the age per function), naming every stream it reads', () => {
  const consumers = new Set<FunctionKey>(streamEntries.map(([, s]) => s.consumer));
  for (const key of consumers) {
    const alarms = ofType('AWS::CloudWatch::Alarm')
      .map(([, a]) => a.Properties ?? {})
      .filter((a) => a.MetricName === 'IteratorAge' && refersTo(a.Dimensions, functionId(key)));
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({
      Namespace: 'AWS/Lambda',
      Statistic: 'Maximum',
      Threshold: MAX_ITERATOR_AGE.toMilliseconds(),
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: topicId }],
    });
    for (const [, spec] of streamEntries.filter(([, s]) => s.consumer === key))
      expect(alarms[0]?.AlarmDescription).toContain(`${spec.table}: ${spec.description}`);
  }
});

describe('least privilege around the counters', () => {
  const counters = tables.counters.id;

  test('the aggregator writes counters and only reads clicks and orders', () => {
    const onCounters = actionsOn('aggregator', counters);
    expect(onCounters).toEqual(expect.objectContaining(new Set(['dynamodb:UpdateItem', 'dynamodb:PutItem'])));
    for (const table of [tables.clicks.id, tables.orders.id]) {
      const actions = actionsOn('aggregator', table);
      expect(actions.has('dynamodb:BatchGetItem')).toBe(true);
      for (const write of WRITES) expect(actions.has(write)).toBe(false);
    }
    expect(environment('aggregator')).toMatchObject({
      COUNTERS_TABLE_NAME: { Ref: counters },
      CLICKS_TABLE_NAME: { Ref: tables.clicks.id },
      ORDERS_TABLE_NAME: { Ref: tables.orders.id },
    });
  });

  test('the reports function only reads the counters, the config and (for the model comparison) the orders, and nothing else', () => {
    expect([...actionsOn('reports', counters)]).toEqual(['dynamodb:Query']);
    expect([...actionsOn('reports', tables.config.id)]).toEqual(['dynamodb:GetItem']);
    expect([...actionsOn('reports', tables.orders.id)]).toEqual(['dynamodb:Query']);
    expect(actionsOn('reports', tables.clicks.id).size).toBe(0);
    expect(functions.reports.tables).toEqual({ counters: ['Query'], config: ['GetItem'], orders: ['Query'] });
  });

  test('no function but the aggregator may write the counters; the redirect never touches them', () => {
    for (const write of ['dynamodb:PutItem', 'dynamodb:UpdateItem'])
      expect(rolesAllowedTo(write, counters)).toEqual([roleOf('aggregator')]);
    for (const write of ['dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'])
      expect(rolesAllowedTo(write, counters)).toEqual([]);
    expect(actionsOn('redirect', counters).size).toBe(0);
    expect(Object.keys(functions.redirect.tables).sort()).toEqual(['clicks', 'config']);
  });

  test('the counters table keeps its data (retained, deletion-protected) and expires only markers', () => {
    expect(template.toJSON().Resources[counters]).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: {
        DeletionProtectionEnabled: true,
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      },
    });
  });
});

describe.each([...new Set(streamEntries.map(([, s]) => s.consumer))])('stream consumer %s', (consumer) => {
  test('its stream reads name exactly the ARNs of the streams it consumes, never a wildcard', () => {
    const statements: Statement[] = ofType('AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties?.Roles) === JSON.stringify([{ Ref: roleOf(consumer) }]))
      .flatMap(([, p]) => statementsIn(p.Properties?.PolicyDocument));
    const streamResources = statements
      .filter((s) => [s.Action].flat().includes('dynamodb:GetShardIterator'))
      .flatMap((s) => [s.Resource].flat())
      .map((r) => JSON.stringify(r));
    const expected = streamEntries
      .filter(([, spec]) => spec.consumer === consumer)
      .map(([, spec]) => JSON.stringify({ 'Fn::GetAtt': [tables[spec.table].id, 'StreamArn'] }));
    expect(streamResources.sort()).toEqual([...new Set(expected)].sort());
    // Only ListStreams (which has no resource-level permissions) may name "*".
    const onAnything = statements
      .filter((s) => [s.Resource].flat().includes('*'))
      .flatMap((s) => [s.Action].flat())
      .filter((a) => a.startsWith('dynamodb:'));
    expect(onAnything).toEqual(['dynamodb:ListStreams']);
  });
});
