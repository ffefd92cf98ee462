/**
 * The buckets of the wiring manifest in the synthesized stack: private, encrypted, TLS-only,
 * versioned, retained, with their server access logs in a separate bucket; readable and writable by
 * exactly the functions that declare them (FunctionWithLogGroup.bindBucket), and by nothing else.
 * One synthesis for the file.
 */
import { Validations } from 'aws-cdk-lib';
import { CfnPolicy } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import {
  ACCESS_LOG_RETENTION,
  ACCESS_LOGS_BUCKET_ID,
  NONCURRENT_VERSION_RETENTION,
} from '../../lib/constructs/buckets';
import {
  type Access,
  type BucketKey,
  type BucketSpec,
  buckets,
  type FunctionKey,
  type FunctionSpec,
  functions,
} from '../../lib/wiring';
import { asArray, inspect, refersTo, type Statement, statementsIn } from './inspect';
import { buildApp, logicalId, removeSynthOutput, synthTemplate } from './synth';

const { stack, template } = synthTemplate();
afterAll(removeSynthOutput);
const { resource, props, ofType, environment, roleOf, statementsOf } = inspect(stack, template);

const bucketEntries = Object.entries(buckets) as Array<[BucketKey, BucketSpec]>;
const functionKeys = Object.keys(functions) as FunctionKey[];

const bucketArn = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const objectsArn = (id: string, prefix = '') => ({ 'Fn::Join': ['', [bucketArn(id), `/${prefix}*`]] });

/** The access a function declares on a bucket in the manifest. */
const declared = (key: FunctionKey, bucket: BucketKey): Access | undefined =>
  (functions[key] as FunctionSpec).buckets?.[bucket];

/** The actions these statements allow on exactly this resource expression (sorted). */
function allowedOnExactly(statements: Statement[], arn: unknown): string[] {
  const wanted = JSON.stringify(arn);
  return statements
    .filter((s) => s.Effect === 'Allow' && asArray(s.Resource).some((r) => JSON.stringify(r) === wanted))
    .flatMap((s) => asArray(s.Action))
    .sort();
}

/** The statements of the bucket policy of the bucket with this logical id (exactly one policy). */
function bucketPolicyOf(id: string): Statement[] {
  const policies = ofType('AWS::S3::BucketPolicy').filter(
    ([, p]) => JSON.stringify(p.Properties?.Bucket) === JSON.stringify({ Ref: id }),
  );
  expect(policies).toHaveLength(1);
  return statementsIn(policies[0]?.[1].Properties?.PolicyDocument);
}

/** The logical ids of the roles with any IAM statement on the resource with this logical id. */
function rolesTouching(id: string): string[] {
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) => statementsIn(p.Properties?.PolicyDocument).some((s) => refersTo(s.Resource, id)))
    .flatMap(([, p]) => ((p.Properties?.Roles ?? []) as Array<{ Ref: string }>).map((r) => r.Ref))
    .sort();
}

const tlsOnly = (id: string) =>
  expect.objectContaining({
    Effect: 'Deny',
    Action: 's3:*',
    Principal: { AWS: '*' },
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    Resource: [bucketArn(id), objectsArn(id)],
  });

const PRIVATE = {
  PublicAccessBlockConfiguration: {
    BlockPublicAcls: true,
    BlockPublicPolicy: true,
    IgnorePublicAcls: true,
    RestrictPublicBuckets: true,
  },
  OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
  BucketEncryption: {
    ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
  },
};

describe.each(bucketEntries)('bucket %s', (key, spec) => {
  const bucket = () => resource(spec.id);

  test('keeps the logical id of the manifest, has no hard-coded name, and is retained', () => {
    expect(bucket()).toMatchObject({
      Type: 'AWS::S3::Bucket',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    expect(bucket().Properties).not.toHaveProperty('BucketName');
  });

  test('blocks all public access, disables ACLs, and is encrypted at rest (SSE-S3)', () => {
    expect(bucket().Properties).toMatchObject(PRIVATE);
    expect(bucket().Properties).not.toHaveProperty('AccessControl');
  });

  test('refuses requests without TLS or with TLS older than 1.2, and its policy allows nobody', () => {
    const statements = bucketPolicyOf(spec.id);
    expect(statements).toContainEqual(tlsOnly(spec.id));
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Principal: { AWS: '*' },
        Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
      }),
    );
    // Access is granted only through the IAM roles bound to it (below).
    for (const s of statements) expect(s.Effect).toBe('Deny');
  });

  test('is versioned; noncurrent versions expire after a year, current versions never', () => {
    expect(bucket().Properties?.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(NONCURRENT_VERSION_RETENTION.toDays()).toBe(365);
    expect(bucket().Properties?.LifecycleConfiguration).toEqual({
      Rules: [
        {
          Id: 'NoncurrentVersions',
          Status: 'Enabled',
          NoncurrentVersionExpiration: { NoncurrentDays: 365 },
          ExpiredObjectDeleteMarker: true,
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
        },
      ],
    });
  });

  test('logs server access to the access-log bucket, under its own prefix', () => {
    expect(bucket().Properties?.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: ACCESS_LOGS_BUCKET_ID },
      LogFilePrefix: `${spec.id}/`,
    });
  });

  test('only the roles of the functions that declare it have any IAM statement on it', () => {
    const users = functionKeys.filter((k) => declared(k, key) !== undefined);
    expect(users.length).toBeGreaterThan(0);
    expect(rolesTouching(spec.id)).toEqual(users.map(roleOf).sort());
  });

  test.each(functionKeys)('the %s function gets its name and exactly the declared access', (fn) => {
    const access = declared(fn, key);
    const statements = statementsOf(fn);
    const onBucket = allowedOnExactly(statements, bucketArn(spec.id));
    const onObjects = allowedOnExactly(statements, objectsArn(spec.id));
    if (access === undefined) {
      expect(environment(fn)).not.toHaveProperty(spec.envVar);
      expect(statements.filter((s) => refersTo(s.Resource, spec.id))).toEqual([]);
      return;
    }
    expect(environment(fn)[spec.envVar]).toEqual({ Ref: spec.id });
    // ListBucket only so that a missing statement is a 404 (NoSuchKey) rather than a 403.
    expect(onBucket).toEqual(['s3:ListBucket']);
    expect(onObjects).toEqual(access === 'RW' ? ['s3:GetObject', 's3:PutObject'] : ['s3:GetObject']);
    // Nothing else on it: no other resource expression, no delete, no bucket configuration.
    const all = statements.filter((s) => refersTo(s.Resource, spec.id)).flatMap((s) => asArray(s.Action));
    expect(all.sort()).toEqual([...onBucket, ...onObjects].sort());
  });

  test('the local directory variable is never set in AWS', () => {
    for (const fn of functionKeys) expect(environment(fn)).not.toHaveProperty(spec.localDirEnvVar);
  });
});

describe('access-log bucket', () => {
  const logs = () => resource(ACCESS_LOGS_BUCKET_ID);

  test('is private, SSE-S3 encrypted (the only encryption log delivery supports) and retained', () => {
    expect(logs()).toMatchObject({
      Type: 'AWS::S3::Bucket',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: PRIVATE,
    });
    expect(logs().Properties).not.toHaveProperty('BucketName');
    // It is the log destination: it does not log itself.
    expect(logs().Properties).not.toHaveProperty('LoggingConfiguration');
  });

  test('keeps the logs for a year', () => {
    expect(ACCESS_LOG_RETENTION.toDays()).toBe(365);
    expect(logs().Properties?.LifecycleConfiguration).toEqual({
      Rules: [
        {
          Id: 'ExpireAccessLogs',
          Status: 'Enabled',
          ExpirationInDays: 365,
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
        },
      ],
    });
  });

  test("refuses requests without TLS; S3's log delivery may write each bucket's logs under its prefix only", () => {
    const statements = bucketPolicyOf(ACCESS_LOGS_BUCKET_ID);
    expect(statements).toContainEqual(tlsOnly(ACCESS_LOGS_BUCKET_ID));
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toEqual(
      bucketEntries.map(([, spec]) => ({
        Effect: 'Allow',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: objectsArn(ACCESS_LOGS_BUCKET_ID, `${spec.id}/`),
        Condition: {
          ArnLike: { 'aws:SourceArn': bucketArn(spec.id) },
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        },
      })),
    );
  });

  test('no role of the stack may touch it', () => {
    expect(rolesTouching(ACCESS_LOGS_BUCKET_ID)).toEqual([]);
  });
});

describe('all buckets', () => {
  test('every bucket in the template is a manifest bucket or the access-log bucket', () => {
    expect(
      ofType('AWS::S3::Bucket')
        .map(([id]) => id)
        .sort(),
    ).toEqual([ACCESS_LOGS_BUCKET_ID, ...bucketEntries.map(([, s]) => s.id)].sort());
  });

  test('no policy of the stack allows deleting objects or changing a bucket', () => {
    for (const [, p] of ofType('AWS::IAM::Policy')) {
      for (const s of statementsIn(p.Properties?.PolicyDocument)) {
        for (const a of asArray(s.Action))
          expect(a).not.toMatch(/^s3:(\*|Delete|PutBucket|PutLifecycle|.*\*)/);
      }
    }
  });
});

describe('the statements bucket, spelled out', () => {
  const id = buckets.statements.id;

  // The portal and an influencer's own key serve statements with the same code as the operator's route.
  test("only the functions that serve statements have it (the operator's, the influencer's own, the portal): its name in STATEMENTS_BUCKET, read and write", () => {
    expect(rolesTouching(id).sort()).toEqual(
      [roleOf('payouts'), roleOf('selfService'), roleOf('portal')].sort(),
    );
    for (const fn of ['payouts', 'selfService', 'portal'] as const) {
      expect(environment(fn).STATEMENTS_BUCKET).toEqual({ Ref: 'StatementsBucket' });
      expect(statementsOf(fn).filter((s) => refersTo(s.Resource, id))).toEqual([
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn(id) },
        { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: objectsArn(id) },
      ]);
    }
  });

  test('it is logged, versioned and retained under the logical id StatementsBucket', () => {
    expect(props('StatementsBucket')).toMatchObject({
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: { Ref: ACCESS_LOGS_BUCKET_ID } },
    });
  });
});

describe('bindBucket', () => {
  test('read-only: GetObject on the objects, ListBucket on the bucket, the name, and an acknowledgement', () => {
    // The manifest binds no bucket read-only, so bind one to a function that has none (construct tree
    // only: no second synthesis).
    const { stack: s } = buildApp({
      beforeSynth: (built) => built.function('health').bindBucket(built.buckets.get('statements'), 'RO'),
    });
    const fn = s.function('health');
    const id = logicalId(s, s.buckets.get('statements').bucket);
    const policy = fn.role?.node.findAll().find((c): c is CfnPolicy => c instanceof CfnPolicy);
    const statements = statementsIn(s.resolve(policy?.policyDocument));
    expect(statements.filter((st) => refersTo(st.Resource, id))).toEqual([
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn(id) },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: objectsArn(id) },
    ]);
    const env = s.resolve((fn.node.defaultChild as CfnFunction).environment) as {
      variables: Record<string, unknown>;
    };
    expect(env.variables[buckets.statements.envVar]).toEqual({ Ref: id });
    // The objects wildcard is acknowledged on this role, for this bucket only.
    const acknowledged = (fn.role?.node.metadata ?? [])
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      // aws-cdk-lib records plain ids as annotation ids (as in nag.test.ts).
      .flatMap((m) =>
        Object.keys(m.data as Record<string, string>).map((k) => k.replace(/^annotation::/i, '')),
      );
    expect(acknowledged).toContain(`AwsSolutions-IAM5[Resource::<${id}.Arn>/*]`);
  });
});
