/**
 * Fine-grained assertions on the synthesized CreditlinkStack, driven by the wiring manifest: every
 * table, secret, function and route declared there must appear with its properties and with no more
 * access than declared. One synthesis for the whole file (bundling skipped; see bundling.test.ts).
 */
import { Match } from 'aws-cdk-lib/assertions';
import { Runtime, RuntimeFamily } from 'aws-cdk-lib/aws-lambda';
import { serviceNameOf } from '../../functions/common/observability';
import {
  defaultRoute,
  type FunctionKey,
  type FunctionSpec,
  functions,
  type QueueKey,
  queueConsumers,
  queues,
  routeKey,
  routes,
  type SecretKey,
  type StreamSpec,
  secrets,
  streams,
  type TableAction,
  type TableKey,
  type TableSpec,
  tableEnv,
  tables,
} from '../../lib/wiring';
import { asArray, inspect } from './inspect';
import { logicalId, removeSynthOutput, synthTemplate } from './synth';

const { stack, template } = synthTemplate();
afterAll(removeSynthOutput);
const { resource, props, ofType, functionId, environment, statementsOf, actionsOn, rolesAllowedTo } = inspect(
  stack,
  template,
);

const functionEntries = Object.entries(functions) as Array<[FunctionKey, FunctionSpec]>;
const tableEntries = Object.entries(tables) as Array<[TableKey, TableSpec]>;
const secretKeys = Object.keys(secrets) as SecretKey[];

/** What a stream's event source lets its consumer do on the stream ARN (GetAtt of the table). */
const STREAM_READ_ACTIONS = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'];
const consumesStreamOf = (key: FunctionKey, table: TableKey) =>
  Object.values(streams).some((s) => s.consumer === key && s.table === table);

const apiId = logicalId(stack, stack.api.httpApi);

describe('routes', () => {
  const routeResources = ofType('AWS::ApiGatewayV2::Route');

  /** The function an API route's integration invokes. */
  function functionBehind(routeKeyValue: string): string {
    const matches = routeResources.filter(([, r]) => r.Properties?.RouteKey === routeKeyValue);
    expect(matches).toHaveLength(1);
    const target = matches[0]?.[1].Properties?.Target as { 'Fn::Join': [string, [string, { Ref: string }]] };
    const [prefix, ref] = target['Fn::Join'][1];
    expect(prefix).toBe('integrations/');
    const integration = props(ref.Ref);
    expect(integration).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
    return (integration.IntegrationUri as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  }

  test.each(routes.map((r) => [routeKey(r), r.fn] as const))(
    '%s is integrated with the %s function',
    (key, fn) => {
      expect(functionBehind(key)).toBe(functionId(fn));
    },
  );

  test('requests that match no route go to the $default route', () => {
    expect(functionBehind('$default')).toBe(functionId(defaultRoute.fn));
  });

  test('there are no routes besides the manifest and $default', () => {
    const expected = [...routes.map(routeKey), '$default'].sort();
    expect(routeResources.map(([, r]) => r.Properties?.RouteKey).sort()).toEqual(expected);
  });

  test('one integration per function, shared by all its routes', () => {
    const routed = new Set<FunctionKey>([...routes.map((r) => r.fn), defaultRoute.fn]);
    const uris = ofType('AWS::ApiGatewayV2::Integration').map(([, r]) =>
      JSON.stringify(r.Properties?.IntegrationUri),
    );
    expect(uris).toHaveLength(routed.size);
    expect(new Set(uris).size).toBe(routed.size);
  });

  test('API Gateway may invoke every routed function, and nothing else', () => {
    const permissions = ofType('AWS::Lambda::Permission').map(([, p]) => p.Properties ?? {});
    for (const p of permissions) expect(p.Principal).toBe('apigateway.amazonaws.com');
    const invoked = new Set(
      permissions.map((p) => (p.FunctionName as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0]),
    );
    const routed = new Set([...routes.map((r) => r.fn), defaultRoute.fn].map(functionId));
    expect(invoked).toEqual(routed);
  });

  test('admin routes have no API Gateway authorizer: the admin function answers 401 itself', () => {
    for (const [, r] of routeResources) expect(r.Properties?.AuthorizationType).toBe('NONE');
    expect(ofType('AWS::ApiGatewayV2::Authorizer')).toHaveLength(0);
  });
});

describe('HTTP API stage', () => {
  const stages = ofType('AWS::ApiGatewayV2::Stage');

  test('a single auto-deployed $default stage with throttling defaults', () => {
    expect(stages).toHaveLength(1);
    const stage = stages[0]?.[1].Properties ?? {};
    expect(stage).toMatchObject({ StageName: '$default', AutoDeploy: true, ApiId: { Ref: apiId } });
    const throttle = stage.DefaultRouteSettings as {
      ThrottlingRateLimit: number;
      ThrottlingBurstLimit: number;
    };
    expect(throttle.ThrottlingRateLimit).toBeGreaterThan(0);
    expect(throttle.ThrottlingBurstLimit).toBeGreaterThanOrEqual(throttle.ThrottlingRateLimit);
  });

  test('access logs go to a log group with a retention, as JSON without IP addresses', () => {
    const settings = stages[0]?.[1].Properties?.AccessLogSettings as {
      DestinationArn: { 'Fn::GetAtt': [string, string] };
      Format: string;
    };
    const logGroup = resource(settings.DestinationArn['Fn::GetAtt'][0]);
    expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
    expect(logGroup.Properties?.RetentionInDays).toEqual(expect.any(Number));
    const format = JSON.parse(settings.Format) as Record<string, string>;
    expect(format.requestId).toBe('$context.requestId');
    expect(settings.Format).not.toMatch(/sourceIp|userAgent|x-forwarded-for/i);
  });
});

describe.each(functionEntries)('function %s', (key, spec) => {
  const fn = () => props(functionId(key));

  test('runs on arm64 with the newest Node.js runtime in aws-cdk-lib, traced by X-Ray', () => {
    // Computed independently of the construct: the highest nodejsNN.x that aws-cdk-lib knows.
    const newest = Math.max(
      ...Runtime.ALL.filter((r) => r.family === RuntimeFamily.NODEJS).map((r) =>
        Number(/^nodejs(\d+)/.exec(r.name)?.[1] ?? 0),
      ),
    );
    expect(newest).toBeGreaterThanOrEqual(22);
    expect(fn()).toMatchObject({
      Architectures: ['arm64'],
      Runtime: `nodejs${newest}.x`,
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
      MemorySize: spec.memoryMb,
      Timeout: spec.timeoutSeconds,
    });
  });

  test("logs JSON without Lambda's START/END/REPORT lines; application logs (and EMF) at INFO", () => {
    // System INFO lines are ~350 bytes a request: more than a redirect writes itself (docs/cost.md).
    expect(fn().LoggingConfig).toMatchObject({
      LogFormat: 'JSON',
      SystemLogLevel: 'WARN',
      ApplicationLogLevel: 'INFO',
    });
  });

  test('logs to its own log group with a retention', () => {
    const logging = fn().LoggingConfig as { LogGroup: { Ref: string } };
    const logGroup = resource(logging.LogGroup.Ref);
    expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
    expect(logGroup.Properties?.RetentionInDays).toEqual(expect.any(Number));
    const others = functionEntries
      .filter(([k]) => k !== key)
      .map(([k]) => (props(functionId(k)).LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref);
    expect(others).not.toContain(logging.LogGroup.Ref);
  });

  test('gets the stage, its service name, source maps and the public base URL', () => {
    expect(environment(key)).toMatchObject({
      CREDITLINK_STAGE: 'aws',
      POWERTOOLS_SERVICE_NAME: serviceNameOf(key),
      NODE_OPTIONS: expect.stringContaining('--enable-source-maps'),
      PUBLIC_BASE_URL: { 'Fn::GetAtt': [apiId, 'ApiEndpoint'] },
    });
  });

  test("gets the names of exactly its tables (tableEnv) and of the tables whose streams it reads, and no other table's", () => {
    const expected = tableEnv(spec, (table) => tables[table].id);
    for (const [envVar, tableId] of Object.entries(expected))
      expect(environment(key)[envVar]).toEqual({ Ref: tableId });
    // A stream consumer tells a record's table by its name, so it gets that name without a grant.
    const streamTables = new Set<TableKey>(
      (Object.values(streams) as StreamSpec[]).filter((s) => s.consumer === key).map((s) => s.table),
    );
    for (const table of streamTables)
      expect(environment(key)[tables[table].envVar]).toEqual({ Ref: tables[table].id });
    for (const [table, tspec] of tableEntries) {
      if (!(table in spec.tables) && !streamTables.has(table as TableKey))
        expect(environment(key)).not.toHaveProperty(tspec.envVar);
    }
  });

  test('gets the ARNs of exactly its secrets, never a secret value', () => {
    for (const secret of secretKeys) {
      const { idEnvVar, valueEnvVar, id } = secrets[secret];
      expect(environment(key)).not.toHaveProperty(valueEnvVar);
      if (spec.secrets.includes(secret)) expect(environment(key)[idEnvVar]).toEqual({ Ref: id });
      else expect(environment(key)).not.toHaveProperty(idEnvVar);
    }
  });

  test.each(Object.keys(queues) as QueueKey[])(
    'gets the URL of the %s queue and may send to it only if it declares `sends`',
    (queue) => {
      const { id, envVar, deadLetter } = queues[queue];
      const sends = (spec.sends ?? []).includes(queue);
      const onQueue = actionsOn(key, id);
      if (sends) {
        expect(environment(key)[envVar]).toEqual({ Ref: id });
        expect(onQueue).toContain('sqs:SendMessage');
      } else {
        expect(environment(key)).not.toHaveProperty(envVar);
        expect(onQueue).not.toContain('sqs:SendMessage');
      }
      // Only the consumer reads the queue; nobody touches its dead-letter queue (SQS moves messages
      // there itself; a redrive is an operator's job).
      if (queueConsumers[queue] === key) expect(onQueue).toContain('sqs:DeleteMessage');
      else for (const a of onQueue) expect(a).toMatch(/^sqs:(SendMessage|GetQueueAttributes|GetQueueUrl)$/);
      expect([...actionsOn(key, deadLetter.id)]).toEqual([]);
    },
  );

  test.each(tableEntries)('may do exactly the declared actions on the %s table', (table, tspec) => {
    const declared: readonly TableAction[] =
      (spec.tables as Partial<Record<TableKey, readonly TableAction[]>>)[table] ?? [];
    const expected = [
      ...declared.map((a) => `dynamodb:${a}`),
      ...(consumesStreamOf(key, table) ? STREAM_READ_ACTIONS : []),
    ].sort();
    expect([...actionsOn(key, tspec.id)].sort()).toEqual(expected);
  });

  test.each(secretKeys)('may read the %s secret only if declared', (secret) => {
    const actions = actionsOn(key, secrets[secret].id);
    if (spec.secrets.includes(secret)) expect(actions).toContain('secretsmanager:GetSecretValue');
    else expect([...actions]).toEqual([]);
    for (const a of actions) expect(a).toMatch(/^secretsmanager:(GetSecretValue|DescribeSecret)$/);
  });

  test('has a role of its own with no AWS managed policy; logs only to its own log group', () => {
    const roleId = (fn().Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    expect(resource(roleId).Properties?.ManagedPolicyArns).toBeUndefined();
    const logGroupId = (fn().LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    const logStatements = statementsOf(key).filter((s) =>
      asArray(s.Action).some((a) => a.startsWith('logs:')),
    );
    expect(logStatements).toHaveLength(1);
    expect(asArray(logStatements[0]?.Resource)).toEqual([{ 'Fn::GetAtt': [logGroupId, 'Arn'] }]);
  });
});

/** The DynamoDB actions a function's role really allows, per table (tables it cannot touch are absent). */
function tableActionsOf(key: FunctionKey): Partial<Record<TableKey, string[]>> {
  const found: Partial<Record<TableKey, string[]>> = {};
  for (const [table, tspec] of tableEntries) {
    const actions = [...actionsOn(key, tspec.id)].filter((a) => !STREAM_READ_ACTIONS.includes(a));
    if (actions.length > 0) found[table] = actions.map((a) => a.replace(/^dynamodb:/, '')).sort();
  }
  return found;
}
const secretsReadBy = (key: FunctionKey) =>
  secretKeys.filter((k) => actionsOn(key, secrets[k].id).has('secretsmanager:GetSecretValue'));
const queuesSentToBy = (key: FunctionKey) =>
  (Object.keys(queues) as QueueKey[]).filter((q) => actionsOn(key, queues[q].id).has('sqs:SendMessage'));
const s3ActionsOf = (key: FunctionKey) =>
  statementsOf(key)
    .flatMap((s) => asArray(s.Action))
    .filter((a) => a.startsWith('s3:'))
    .sort();

/**
 * Each function's grants written out by hand, from reading its code and its repos: the manifest is
 * checked against this, so widening a grant is a visible change here too.
 */
const expectedGrants: Record<
  FunctionKey,
  { tables: Partial<Record<TableKey, string[]>>; secrets: SecretKey[]; sends: QueueKey[]; s3: string[] }
> = {
  redirect: {
    tables: { config: ['GetItem'], clicks: ['PutItem'] },
    secrets: ['ipHashKey'],
    sends: [],
    s3: [],
  },
  admin: {
    tables: {
      config: [
        'BatchGetItem',
        'ConditionCheckItem',
        'DeleteItem',
        'GetItem',
        'PutItem',
        'Query',
        'UpdateItem',
      ],
      clicks: ['GetItem', 'Query'],
      orders: ['PutItem', 'Query', 'UpdateItem'],
      deliveries: ['Query', 'UpdateItem'],
    },
    secrets: ['adminToken', 'webhookSealKey'],
    sends: ['deliveries'],
    s3: [],
  },
  ingest: {
    tables: { config: ['GetItem'], webhookInbox: ['GetItem', 'PutItem'], orders: ['UpdateItem'] },
    secrets: ['webhookSealKey'],
    sends: ['orders'],
    s3: [],
  },
  attribution: {
    tables: {
      config: ['BatchGetItem', 'ConditionCheckItem', 'GetItem'],
      clicks: ['GetItem', 'Query'],
      orders: ['PutItem', 'Query', 'UpdateItem'],
      webhookInbox: ['UpdateItem'],
    },
    secrets: [],
    sends: [],
    s3: [],
  },
  payouts: {
    tables: { payouts: ['GetItem', 'PutItem', 'Query', 'UpdateItem'], orders: ['Query'] },
    secrets: ['adminToken'],
    sends: ['payoutJobs'],
    s3: ['s3:GetObject', 's3:ListBucket', 's3:PutObject'],
  },
  payoutSchedule: {
    tables: { payouts: ['GetItem', 'PutItem', 'Query', 'UpdateItem'], orders: ['Query'] },
    secrets: [],
    sends: ['payoutJobs'],
    s3: [],
  },
  payoutWorker: {
    tables: {
      payouts: ['GetItem', 'PutItem', 'Query', 'UpdateItem'],
      orders: ['BatchGetItem', 'Query', 'UpdateItem'],
      config: ['GetItem'],
    },
    secrets: [],
    sends: ['payoutJobs'],
    s3: [],
  },
  outboxRedrive: {
    tables: { webhookInbox: ['Query', 'UpdateItem'] },
    secrets: [],
    sends: ['orders'],
    s3: [],
  },
  events: {
    tables: { config: ['Query'], orders: ['Query'], deliveries: ['GetItem', 'PutItem'] },
    secrets: [],
    sends: ['deliveries'],
    s3: [],
  },
  deliveries: {
    tables: { config: ['GetItem'], deliveries: ['GetItem', 'UpdateItem'] },
    secrets: ['webhookSealKey'],
    sends: ['deliveries'],
    s3: [],
  },
  deliveryRedrive: { tables: { deliveries: ['Query'] }, secrets: [], sends: ['deliveries'], s3: [] },
  health: { tables: { config: ['DescribeTable'] }, secrets: [], sends: [], s3: [] },
  openapi: { tables: {}, secrets: [], sends: [], s3: [] },
  storefront: {
    tables: { config: ['BatchGetItem', 'GetItem'], clicks: ['PutItem'] },
    secrets: [],
    sends: [],
    s3: [],
  },
  aggregator: {
    tables: {
      counters: ['BatchGetItem', 'GetItem', 'PutItem', 'UpdateItem'],
      clicks: ['BatchGetItem'],
      orders: ['BatchGetItem'],
    },
    secrets: [],
    sends: [],
    s3: [],
  },
  reports: {
    tables: { counters: ['Query'], config: ['GetItem'], orders: ['Query'] },
    secrets: ['adminToken'],
    sends: [],
    s3: [],
  },
  selfService: {
    tables: {
      config: [
        'BatchGetItem',
        'ConditionCheckItem',
        'DeleteItem',
        'GetItem',
        'PutItem',
        'Query',
        'UpdateItem',
      ],
      orders: ['PutItem', 'Query', 'UpdateItem'],
      payouts: ['Query'],
      counters: ['Query'],
      deliveries: ['Query', 'UpdateItem'],
    },
    secrets: ['adminToken', 'webhookSealKey'],
    sends: ['deliveries'],
    s3: ['s3:GetObject', 's3:ListBucket', 's3:PutObject'],
  },
  portal: {
    tables: {
      config: ['DeleteItem', 'GetItem', 'PutItem', 'Query'],
      counters: ['Query'],
      orders: ['Query'],
      payouts: ['Query'],
    },
    secrets: [],
    sends: [],
    s3: ['s3:GetObject', 's3:ListBucket', 's3:PutObject'],
  },
  notFound: { tables: {}, secrets: [], sends: [], s3: [] },
};

describe('least privilege, spelled out per function', () => {
  test.each(functionEntries.map(([key]) => key))(
    '%s may do exactly the table actions, read exactly the secrets, send to exactly the queues it uses',
    (key) => {
      const expected = expectedGrants[key];
      expect(tableActionsOf(key)).toEqual(expected.tables);
      expect(secretsReadBy(key)).toEqual(expected.secrets);
      expect(queuesSentToBy(key)).toEqual(expected.sends);
      expect(s3ActionsOf(key)).toEqual(expected.s3);
    },
  );

  test('no role may batch-write, and only the admin, a merchant key and the portal may delete, and only on the config table (ending an enrollment, using up a login link)', () => {
    for (const [key, tspec] of tableEntries) {
      expect(rolesAllowedTo('dynamodb:BatchWriteItem', tspec.id)).toEqual([]);
      // Three roles on config: the admin's, the self-service one and the portal's (their exact actions are asserted above).
      expect(rolesAllowedTo('dynamodb:DeleteItem', tspec.id)).toHaveLength(key === 'config' ? 3 : 0);
    }
    expect(tableActionsOf('admin').config).toContain('DeleteItem');
    expect(tableActionsOf('selfService').config).toContain('DeleteItem');
    expect(tableActionsOf('portal').config).toContain('DeleteItem');
  });

  test('the redirect reads only the IP-hash key: the webhook-seal key is out of its reach', () => {
    expect(secretsReadBy('redirect')).toEqual(['ipHashKey']);
    expect([...actionsOn('redirect', secrets.webhookSealKey.id)]).toEqual([]);
    expect(environment('redirect')).not.toHaveProperty(secrets.webhookSealKey.idEnvVar);
  });

  test('only the functions that seal or open secrets may read the seal key', () => {
    const readers = functionEntries
      .map(([key]) => key)
      .filter((key) => actionsOn(key, secrets.webhookSealKey.id).has('secretsmanager:GetSecretValue'));
    // admin and selfService seal merchants' webhook secrets and endpoints' signing secrets, ingest
    // opens webhook secrets to verify, deliveries opens an endpoint's secret to sign.
    expect(readers.sort()).toEqual(['admin', 'deliveries', 'ingest', 'selfService']);
  });

  test('indexes are reachable only with Query, never with a write', () => {
    const onIndexes = statementsOf('attribution').filter((s) =>
      asArray(s.Resource).some((r) => JSON.stringify(r).includes('/index/*')),
    );
    expect(onIndexes.length).toBeGreaterThan(0);
    for (const s of onIndexes) expect(asArray(s.Action)).toEqual(['dynamodb:Query']);
  });
});

describe.each(tableEntries)('table %s', (_key, spec) => {
  const table = () => resource(spec.id);

  test('keeps the logical id of the manifest, and has no hard-coded physical name', () => {
    expect(table().Type).toBe('AWS::DynamoDB::Table');
    expect(table().Properties).not.toHaveProperty('TableName');
  });

  test('is on demand, point-in-time recoverable, encrypted and retained', () => {
    expect(table()).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
      },
    });
  });

  test('has the keys, indexes, TTL and stream of its spec', () => {
    const p = table().Properties ?? {};
    const keySchema = [
      { AttributeName: spec.partitionKey, KeyType: 'HASH' },
      ...(spec.sortKey ? [{ AttributeName: spec.sortKey, KeyType: 'RANGE' }] : []),
    ];
    expect(p.KeySchema).toEqual(keySchema);
    const indexes = (p.GlobalSecondaryIndexes ?? []) as Array<{ IndexName: string; KeySchema: unknown }>;
    expect(indexes.map((i) => i.IndexName).sort()).toEqual(spec.indexes.map((i) => i.name).sort());
    for (const index of spec.indexes) {
      expect(indexes.find((i) => i.IndexName === index.name)?.KeySchema).toEqual([
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        ...(index.sortKey ? [{ AttributeName: index.sortKey, KeyType: 'RANGE' }] : []),
      ]);
    }
    if (spec.ttlAttribute) {
      expect(p.TimeToLiveSpecification).toEqual({ AttributeName: spec.ttlAttribute, Enabled: true });
    } else {
      expect(p.TimeToLiveSpecification).toBeUndefined();
    }
    if (spec.stream) expect(p.StreamSpecification).toEqual({ StreamViewType: spec.stream });
    else expect(p.StreamSpecification).toBeUndefined();
  });
});

describe('payout tables, spelled out', () => {
  test('orders has the unpaid, by-payout and payees indexes, projecting whole items', () => {
    const p = props(tables.orders.id);
    const indexes = (p.GlobalSecondaryIndexes ?? []) as Array<Record<string, unknown>>;
    const byName = (name: string) => indexes.find((i) => i.IndexName === name);
    expect(byName('unpaidByInfluencer')).toEqual({
      IndexName: 'unpaidByInfluencer',
      KeySchema: [
        { AttributeName: 'unpaidFor', KeyType: 'HASH' },
        { AttributeName: 'eligibleAt', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    });
    expect(byName('byPayout')).toEqual({
      IndexName: 'byPayout',
      KeySchema: [
        { AttributeName: 'payoutId', KeyType: 'HASH' },
        { AttributeName: 'payoutSort', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    });
    expect(byName('payees')).toEqual({
      IndexName: 'payees',
      KeySchema: [
        { AttributeName: 'payeeShard', KeyType: 'HASH' },
        { AttributeName: 'influencerId', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    });
    for (const name of ['unpaidFor', 'eligibleAt', 'payoutId', 'payoutSort', 'payeeShard', 'influencerId']) {
      expect(p.AttributeDefinitions).toContainEqual({ AttributeName: name, AttributeType: 'S' });
    }
  });

  test('orders has the sparse index of credited orders by merchant and time that the model comparison reads', () => {
    const p = props(tables.orders.id);
    const indexes = (p.GlobalSecondaryIndexes ?? []) as Array<Record<string, unknown>>;
    expect(indexes.find((i) => i.IndexName === 'creditedByMerchant')).toEqual({
      IndexName: 'creditedByMerchant',
      KeySchema: [
        { AttributeName: 'ordersOf', KeyType: 'HASH' },
        { AttributeName: 'orderSort', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    });
    for (const name of ['ordersOf', 'orderSort']) {
      expect(p.AttributeDefinitions).toContainEqual({ AttributeName: name, AttributeType: 'S' });
    }
  });

  test("orders has the sparse index of an influencer's credits, clawbacks and fees by date that its own ledger reads", () => {
    const p = props(tables.orders.id);
    const indexes = (p.GlobalSecondaryIndexes ?? []) as Array<Record<string, unknown>>;
    expect(indexes.find((i) => i.IndexName === 'creditsByInfluencer')).toEqual({
      IndexName: 'creditsByInfluencer',
      KeySchema: [
        { AttributeName: 'creditsOf', KeyType: 'HASH' },
        { AttributeName: 'creditSort', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    });
    for (const name of ['creditsOf', 'creditSort']) {
      expect(p.AttributeDefinitions).toContainEqual({ AttributeName: name, AttributeType: 'S' });
    }
  });

  test("payouts is keyed by pk/sk, unnamed, point-in-time recoverable and retained, with only the sparse index of an influencer's payouts", () => {
    expect(resource(tables.payouts.id)).toMatchObject({
      Type: 'AWS::DynamoDB::Table',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      },
    });
    expect(props(tables.payouts.id)).not.toHaveProperty('TableName');
    expect(props(tables.payouts.id).GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'payoutsByInfluencer',
        KeySchema: [
          { AttributeName: 'payoutsOf', KeyType: 'HASH' },
          { AttributeName: 'payoutId', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ]);
  });
});

describe('all tables', () => {
  test('clicks expire through TTL on expiresAt', () => {
    expect(props(tables.clicks.id).TimeToLiveSpecification).toEqual({
      AttributeName: 'expiresAt',
      Enabled: true,
    });
  });

  test('every table in the template comes from the manifest, none is named or deletable', () => {
    const inTemplate = ofType('AWS::DynamoDB::Table');
    expect(inTemplate.map(([id]) => id).sort()).toEqual(tableEntries.map(([, s]) => s.id).sort());
    for (const [, t] of inTemplate) {
      expect(t.Properties).not.toHaveProperty('TableName');
      expect(t.DeletionPolicy).toBe('Retain');
    }
  });
});

describe('secrets', () => {
  test('the admin token is generated: 48 characters without punctuation', () => {
    expect(props(secrets.adminToken.id).GenerateSecretString).toMatchObject({
      PasswordLength: 48,
      ExcludePunctuation: true,
    });
  });

  test.each(['ipHashKey', 'webhookSealKey'] as const)(
    'the %s is generated as 64 hex digits (a 256-bit key), each in a secret of its own',
    (key) => {
      const generator = props(secrets[key].id).GenerateSecretString as {
        PasswordLength: number;
        ExcludeCharacters: string;
        ExcludeUppercase: boolean;
        ExcludePunctuation: boolean;
        IncludeSpace: boolean;
      };
      expect(generator).toMatchObject({
        PasswordLength: 64,
        ExcludeUppercase: true,
        ExcludePunctuation: true,
      });
      expect(generator.IncludeSpace).toBe(false);
      // What is left of the lower-case letters and digits is exactly the hex alphabet.
      const left = [...'abcdefghijklmnopqrstuvwxyz0123456789'].filter(
        (c) => !generator.ExcludeCharacters.includes(c),
      );
      expect(left.join('')).toBe('abcdef0123456789');
    },
  );

  test('every secret of the manifest is generated by CloudFormation, never written in the template', () => {
    const inTemplate = ofType('AWS::SecretsManager::Secret');
    expect(inTemplate.map(([id]) => id).sort()).toEqual(secretKeys.map((k) => secrets[k].id).sort());
    for (const [, s] of inTemplate) {
      expect(s.Properties).not.toHaveProperty('SecretString');
      expect(s.Properties?.GenerateSecretString).toBeDefined();
    }
  });
});

describe('outputs', () => {
  test('ApiUrl is the HTTP API endpoint', () => {
    template.hasOutput('ApiUrl', { Value: { 'Fn::GetAtt': [apiId, 'ApiEndpoint'] } });
  });

  test('AdminTokenSecretArn points at the admin token and says how to read it', () => {
    template.hasOutput('AdminTokenSecretArn', {
      Value: { Ref: secrets.adminToken.id },
      Description: Match.stringLikeRegexp(
        'aws secretsmanager get-secret-value --secret-id .+ --query SecretString',
      ),
    });
  });
});

describe('publicBaseUrl', () => {
  test('the context value replaces the API endpoint in every function, without a trailing slash', () => {
    const custom = synthTemplate({ context: { publicBaseUrl: 'https://go.example.com/' } });
    const urls = custom.template.findResources('AWS::Lambda::Function');
    expect(Object.keys(urls)).toHaveLength(functionEntries.length);
    for (const fn of Object.values(urls)) {
      expect(fn.Properties.Environment.Variables.PUBLIC_BASE_URL).toBe('https://go.example.com');
    }
  });

  test('anything but an https URL is refused at synth time', () => {
    expect(() => synthTemplate({ context: { publicBaseUrl: 'http://go.example.com' } })).toThrow(/https URL/);
  });
});
