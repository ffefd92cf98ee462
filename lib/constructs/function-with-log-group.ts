/**
 * The one Lambda function construct every handler is deployed with, carrying the defaults in one
 * place: arm64, the Node.js major of package.json's `config.nodeMajor`, esbuild-minified bundle
 * with source maps, its own log group with a retention (JSON, no INFO system lines), X-Ray tracing,
 * and a role that can do nothing until a table, secret, queue or bucket is bound to it.
 */
import * as path from 'node:path';
import { type CfnResource, Duration, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  LoggingFormat,
  Runtime,
  RuntimeFamily,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import packageJson from '../../package.json';
import { BUNDLE_MAIN_FIELDS, bundleAliasArgs } from '../bundling/settings';
import { observabilityEnv } from '../function-env';
import { type Access, type FunctionKey, type FunctionSpec, INDEX_ACTIONS, type TableAction } from '../wiring';
import type { EnvBucket } from './buckets';
import type { EnvQueue } from './queues';
import type { EnvSecret } from './secrets';
import type { EnvTable } from './tables';

/** The repository root: wiring entries and the lock file are relative to it. */
export const repoRoot = path.resolve(__dirname, '..', '..');

/** Function logs are for debugging recent requests; a month is enough and bounds the cost. */
export const FUNCTION_LOG_RETENTION = RetentionDays.ONE_MONTH;

/**
 * The Node.js major the functions deploy on, and the one `npm start` and `npm test` run on: the
 * `node-<os>-<cpu>` packages in package.json's optionalDependencies are of this major (a unit test
 * checks it), so the local runtime, the tests and Lambda cannot drift apart.
 */
export const NODE_MAJOR: number = packageJson.config.nodeMajor;

/** esbuild's target for the bundles: the syntax the deployed runtime runs natively. */
export const BUNDLE_TARGET = `node${NODE_MAJOR}`;

/**
 * Node.js options of every function: stack traces point into the TypeScript sources instead of the
 * minified bundle. On Node.js 24 the flag costs module init next to nothing (the cold-start bench
 * loads the functions with it): a map is read and parsed when a stack trace is first mapped, not
 * when the bundle loads.
 */
export const FUNCTION_NODE_OPTIONS = '--enable-source-maps';

/** The Lambda runtime of NODE_MAJOR; an aws-cdk-lib that does not know it fails synth here. */
export function nodeRuntime(): Runtime {
  const runtime = Runtime.ALL.find((rt) => rt.name === `nodejs${NODE_MAJOR}.x`);
  if (!runtime) throw new Error(`aws-cdk-lib offers no nodejs${NODE_MAJOR}.x runtime.`);
  return runtime;
}

/**
 * The newest Node.js runtime this aws-cdk-lib version offers, chosen the way cdk-nag's AwsSolutions-L1
 * checks it: NODE_MAJOR must be this one, or synth fails that rule (a unit test says so first).
 * `NODEJS_LATEST` is skipped: it trails the newest one ("available in all regions").
 */
export function newestNodeRuntime(): Runtime {
  const version = (rt: Runtime) => Number(/^nodejs(\d+)/.exec(rt.name)?.[1] ?? 0);
  const candidates = Runtime.ALL.filter((rt) => rt.family === RuntimeFamily.NODEJS && !rt.isVariable);
  const newest = candidates.reduce<Runtime | undefined>(
    (best, rt) => (best === undefined || version(rt) > version(best) ? rt : best),
    undefined,
  );
  if (!newest) throw new Error('aws-cdk-lib offers no Node.js runtime.');
  return newest;
}

/**
 * The object actions of each bucket access level. Writes add versions and never delete one (the
 * buckets are versioned), so no function can destroy a stored object.
 */
export const BUCKET_OBJECT_ACTIONS: Readonly<Record<Access, readonly string[]>> = {
  RO: ['s3:GetObject'],
  RW: ['s3:GetObject', 's3:PutObject'],
};

export interface FunctionWithLogGroupProps {
  /** The function's key in the wiring manifest; it names the service in logs, metrics and traces. */
  readonly key: FunctionKey;
  readonly spec: FunctionSpec;
  /** Variables every function gets (stage, public base URL). */
  readonly environment?: Record<string, string>;
}

export class FunctionWithLogGroup extends NodejsFunction {
  private readonly executionRole: Role;

  constructor(scope: Construct, id: string, props: FunctionWithLogGroupProps) {
    // The log group and the role must exist before the function (they are its props), so they are
    // its siblings, named after it.
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      // Kept after a stack deletion (the default) for investigation; retention empties it anyway.
      retention: FUNCTION_LOG_RETENTION,
    });
    // An own role instead of the default one: the default attaches AWSLambdaBasicExecutionRole, which
    // may create and write any log group in the account (and trips AwsSolutions-IAM4). This one may
    // write only to the function's own log group.
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `creditlink ${props.key} function`,
    });
    logGroup.grantWrite(role);

    super(scope, id, {
      entry: path.join(repoRoot, props.spec.entry),
      handler: 'handler',
      description: props.spec.description,
      runtime: nodeRuntime(),
      architecture: Architecture.ARM_64,
      memorySize: props.spec.memoryMb,
      timeout: Duration.seconds(props.spec.timeoutSeconds),
      tracing: Tracing.ACTIVE,
      logGroup,
      // Lambda's own START/END/REPORT lines (~350 bytes and three events per invocation, more than
      // a redirect writes itself) are INFO system logs: kept out of the log at WARN, which still
      // lets through time-outs and crashes. The JSON format is what makes system levels settable;
      // Powertools' lines are JSON already and pass through unchanged. Application logs stay at
      // INFO: the Logger's default, and the level Lambda gives the EMF metric lines (they have none).
      loggingFormat: LoggingFormat.JSON,
      systemLogLevelV2: SystemLogLevel.WARN,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      role,
      projectRoot: repoRoot,
      depsLockFilePath: path.join(repoRoot, 'package-lock.json'),
      environment: {
        ...props.environment,
        // Its service name, the metrics namespace (lib/function-env.ts): the same as in a local run.
        ...observabilityEnv(props.key),
        NODE_OPTIONS: FUNCTION_NODE_OPTIONS,
      },
      bundling: {
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        // The sources themselves are not needed for file:line mapping and would double the upload.
        sourcesContent: false,
        format: OutputFormat.CJS,
        target: BUNDLE_TARGET,
        // Bundle the AWS SDK instead of using the runtime's copy: the function then runs exactly the
        // SDK versions from package-lock.json that the tests ran, and tree-shaking keeps it small.
        bundleAwsSDK: true,
        // The SDK's ES modules, which tree-shake, and substitutions for code Lambda never runs, such
        // as the SDK's credential chain beyond the environment (lib/bundling/settings.ts; the
        // benchmarks and the bundles layer build with the same).
        mainFields: [...BUNDLE_MAIN_FIELDS],
        esbuildArgs: bundleAliasArgs(),
        // esbuild is a local devDependency; never fall back to Docker (absent on our machines).
        forceDockerBundling: false,
      },
    });
    this.executionRole = role;

    // Tracing.ACTIVE adds xray:PutTraceSegments and xray:PutTelemetryRecords on "*".
    this.acknowledgeOnRole(
      'AwsSolutions-IAM5[Resource::*]',
      'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions; "*" is the only possible resource (added by Tracing.ACTIVE).',
    );
  }

  /**
   * Gives the function a table: its name in `table.envVar`, and exactly the DynamoDB actions the
   * wiring manifest declares for it, spelled out instead of CDK's grantReadData/grantReadWriteData
   * (whose read-write set includes DeleteItem and BatchWriteItem). Query and Scan also reach the
   * table's own indexes.
   */
  bindTable(binding: EnvTable, actions: readonly TableAction[]): this {
    if (actions.length === 0) throw new Error(`A table bound to ${this.node.id} needs at least one action.`);
    const { table } = binding;
    this.addEnvironment(binding.envVar, table.tableName);
    const iamActions = (list: readonly TableAction[]) => list.map((a) => `dynamodb:${a}`);
    this.addToRolePolicy(new PolicyStatement({ actions: iamActions(actions), resources: [table.tableArn] }));
    const onIndexes = actions.filter((a) => INDEX_ACTIONS.includes(a));
    if (binding.hasIndexes && onIndexes.length > 0) {
      this.addToRolePolicy(
        new PolicyStatement({ actions: iamActions(onIndexes), resources: [`${table.tableArn}/index/*`] }),
      );
      const tableId = Stack.of(this).resolve((table.node.defaultChild as CfnResource).logicalId);
      this.acknowledgeOnRole(
        `AwsSolutions-IAM5[Resource::<${tableId}.Arn>/index/*]`,
        `Queries go through the global secondary indexes of ${tableId}; the wildcard covers only that table's own indexes, with ${onIndexes.join(' and ')} only.`,
      );
    }
    return this;
  }

  /** Gives the function a secret: its ARN in `secret.idEnvVar`, and read access to that one secret. */
  bindSecret(binding: EnvSecret): this {
    this.addEnvironment(binding.idEnvVar, binding.secret.secretArn);
    binding.secret.grantRead(this);
    return this;
  }

  /**
   * Lets the function send to a queue: its URL in `queue.envVar`, and sqs:SendMessage (with
   * GetQueueAttributes and GetQueueUrl) on that one queue. Consumers are bound by Queues.addConsumers.
   */
  bindQueue(binding: EnvQueue): this {
    this.addEnvironment(binding.envVar, binding.queue.queueUrl);
    binding.queue.grantSendMessages(this);
    return this;
  }

  /**
   * Gives the function a bucket: its name in `bucket.envVar`, and exactly the access the wiring
   * manifest declares on that one bucket. Read-only unless asked otherwise. Spelled out instead of
   * Bucket.grantRead/grantReadWrite, whose wildcards (s3:GetObject*, s3:List*, s3:DeleteObject*)
   * would let a writer delete object versions and so defeat the versioning of financial records.
   */
  bindBucket(binding: EnvBucket, access: Access = 'RO'): this {
    const { bucket } = binding;
    this.addEnvironment(binding.envVar, bucket.bucketName);
    // ListBucket makes GetObject of a missing key answer NoSuchKey (404) instead of AccessDenied
    // (403), which the statement store relies on.
    this.addToRolePolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
    this.addToRolePolicy(
      new PolicyStatement({
        actions: [...BUCKET_OBJECT_ACTIONS[access]],
        resources: [bucket.arnForObjects('*')],
      }),
    );
    const bucketId = Stack.of(this).resolve((bucket.node.defaultChild as CfnResource).logicalId);
    this.acknowledgeOnRole(
      `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`,
      `Object keys are chosen at run time; the wildcard covers only the objects of ${bucketId}, with ${access === 'RW' ? 'GetObject and PutObject (no delete)' : 'GetObject only'}.`,
    );
    return this;
  }

  private acknowledgeOnRole(id: string, reason: string): void {
    Validations.of(this.executionRole).acknowledge({ id, reason });
  }
}
