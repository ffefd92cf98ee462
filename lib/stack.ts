/**
 * CreditlinkStack: every AWS resource of creditlink, built from the wiring manifest (lib/wiring.ts).
 * Nothing here lists a particular table, secret, function or route: add one to the manifest and it
 * gets its infrastructure. One construct per concern lives in lib/constructs/:
 *   tables.ts                    DynamoDB tables (wiring `tables`)
 *   buckets.ts                   S3 buckets and their access-log bucket (wiring `buckets`)
 *   secrets.ts                   Secrets Manager secrets (wiring `secrets`)
 *   function-with-log-group.ts   Lambda functions, bound to their tables, secrets, buckets and the
 *                                queues they send to (wiring `functions`: `tables`, `secrets`,
 *                                `buckets`, `sends`)
 *   http-api.ts                  HTTP API and its routes (wiring `routes`, `defaultRoute`)
 *   queues.ts                    SQS queues with their dead-letter queues, consumers' event sources
 *                                and alarms (wiring `queues`)
 *   streams.ts                   DynamoDB stream event sources with their on-failure queues and
 *                                alarms (wiring `streams`)
 *   schedules.ts                 EventBridge Scheduler schedules with their retries, dead-letter
 *                                queues and alarms (wiring `schedules`)
 *   monitoring.ts                alarms on every function's Errors and on the HTTP API's 5xx rate
 *   alarms.ts                    the SNS topic every alarm notifies (context `alarmEmail` subscribes)
 *   dashboard.ts                 one CloudWatch dashboard: business metrics and every alarm's state
 *   redirect-front-door.ts       opt-in: a load balancer serving short links from the redirect
 *                                function (prop or context `redirectCertificateArn`)
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { AlarmTopic } from './constructs/alarms';
import { Buckets } from './constructs/buckets';
import { CreditlinkDashboard } from './constructs/dashboard';
import { FunctionWithLogGroup } from './constructs/function-with-log-group';
import { CreditlinkHttpApi } from './constructs/http-api';
import { Monitoring } from './constructs/monitoring';
import { Queues } from './constructs/queues';
import { RedirectFrontDoor } from './constructs/redirect-front-door';
import { Schedules } from './constructs/schedules';
import { Secrets } from './constructs/secrets';
import { Streams } from './constructs/streams';
import { Tables } from './constructs/tables';
import {
  type Access,
  type BucketKey,
  defaultRoute,
  type FunctionKey,
  type FunctionSpec,
  functions as functionSpecs,
  routes,
  type TableAction,
  type TableKey,
} from './wiring';

export interface CreditlinkStackProps extends StackProps {
  /**
   * The base URL short links are built on, e.g. a custom domain in front of the API. Defaults to the
   * context value `publicBaseUrl` (`cdk deploy -c publicBaseUrl=https://go.example.com`), then to
   * the HTTP API's own endpoint.
   */
  readonly publicBaseUrl?: string;
  /**
   * An e-mail address subscribed to the alarm topic. Defaults to the context value `alarmEmail`
   * (`cdk deploy -c alarmEmail=ops@example.com`); without one, subscribe to the topic yourself.
   */
  readonly alarmEmail?: string;
  /**
   * Serve short links from an Application Load Balancer as well, with this ACM certificate (in the
   * stack's region) on its HTTPS listener: cheaper than the HTTP API per click at volume
   * (docs/cost.md). Defaults to the context value `redirectCertificateArn`; without one, there is
   * no load balancer. Needs `publicBaseUrl`: the certificate's host, pointed at the load balancer.
   */
  readonly redirectCertificateArn?: string;
}

export class CreditlinkStack extends Stack {
  readonly tables: Tables;
  readonly buckets: Buckets;
  readonly secrets: Secrets;
  readonly api: CreditlinkHttpApi;
  readonly alarms: AlarmTopic;
  readonly queues: Queues;
  readonly schedules: Schedules;
  readonly streams: Streams;
  readonly dashboard: CreditlinkDashboard;
  readonly redirectFrontDoor?: RedirectFrontDoor;
  private readonly functionsByKey = new Map<FunctionKey, FunctionWithLogGroup>();

  constructor(scope: Construct, id: string, props: CreditlinkStackProps = {}) {
    super(scope, id, props);
    this.tables = new Tables(this, 'Tables');
    this.buckets = new Buckets(this, 'Buckets');
    this.secrets = new Secrets(this, 'Secrets');
    this.api = new CreditlinkHttpApi(this, 'Api');
    this.alarms = new AlarmTopic(this, 'Alarms', {
      email: props.alarmEmail ?? contextEmail(this, 'alarmEmail'),
    });
    this.queues = new Queues(this, 'Queues', { alarms: this.alarms });

    const publicBaseUrl = props.publicBaseUrl ?? contextUrl(this, 'publicBaseUrl') ?? this.api.endpoint;
    for (const [key, spec] of Object.entries(functionSpecs) as Array<[FunctionKey, FunctionSpec]>) {
      const fn = new FunctionWithLogGroup(this, `${pascalCase(key)}Function`, {
        key,
        spec,
        environment: { CREDITLINK_STAGE: 'aws', PUBLIC_BASE_URL: publicBaseUrl },
      });
      for (const [table, actions] of Object.entries(spec.tables) as Array<
        [TableKey, readonly TableAction[]]
      >) {
        fn.bindTable(this.tables.get(table), actions);
      }
      for (const secret of spec.secrets) fn.bindSecret(this.secrets.get(secret));
      for (const [bucket, access] of Object.entries(spec.buckets ?? {}) as Array<[BucketKey, Access]>) {
        fn.bindBucket(this.buckets.get(bucket), access);
      }
      for (const queue of spec.sends ?? []) fn.bindQueue(this.queues.get(queue));
      this.functionsByKey.set(key, fn);
    }

    this.api.addRoutes(routes, defaultRoute, (key) => this.function(key));
    this.queues.addConsumers((key) => this.function(key));
    this.streams = new Streams(this, 'Streams', {
      alarms: this.alarms,
      tables: this.tables,
      fnOf: (key) => this.function(key),
    });
    this.schedules = new Schedules(this, 'Schedules', {
      alarms: this.alarms,
      fnOf: (key) => this.function(key),
    });
    new Monitoring(this, 'Monitoring', {
      alarms: this.alarms,
      functions: [...this.functionsByKey],
      api: this.api,
    });
    const certificateArn =
      props.redirectCertificateArn ?? contextCertificateArn(this, 'redirectCertificateArn');
    if (certificateArn !== undefined) {
      if (props.publicBaseUrl === undefined && contextUrl(this, 'publicBaseUrl') === undefined) {
        throw new Error(
          'The redirect front door needs publicBaseUrl: the https URL of the certificate’s host, which short links are built on.',
        );
      }
      this.redirectFrontDoor = new RedirectFrontDoor(this, 'RedirectFrontDoor', {
        redirect: this.function('redirect'),
        certificateArn,
        logBucket: this.buckets.accessLogs,
      });
    }
    // Last among the constructs: it shows every alarm created above.
    this.dashboard = new CreditlinkDashboard(this, 'Dashboard');

    new CfnOutput(this, 'ApiUrl', {
      description: 'Base URL of the HTTP API (short links, webhooks, /admin).',
      value: this.api.endpoint,
    });
    new CfnOutput(this, 'AdminTokenSecretArn', {
      description:
        'Secret holding the admin bearer token. Read it with: aws secretsmanager get-secret-value ' +
        `--secret-id "$(aws cloudformation describe-stacks --stack-name ${this.stackName} ` +
        `--query "Stacks[0].Outputs[?OutputKey=='AdminTokenSecretArn'].OutputValue" --output text)" ` +
        '--query SecretString --output text',
      value: this.secrets.get('adminToken').secret.secretArn,
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      description: 'SNS topic that every alarm notifies: subscribe an e-mail, chat or paging endpoint to it.',
      value: this.alarms.topic.topicArn,
    });
  }

  /** The deployed function of a wiring-manifest key. */
  function(key: FunctionKey): FunctionWithLogGroup {
    const fn = this.functionsByKey.get(key);
    if (!fn) throw new Error(`No function "${key}" in the wiring manifest.`);
    return fn;
  }
}

/** `notFound` -> `NotFound`: construct ids read like the resources they create. */
function pascalCase(key: string): string {
  return key.charAt(0).toUpperCase() + key.slice(1);
}

function contextUrl(scope: Construct, name: string): string | undefined {
  const value: unknown = scope.node.tryGetContext(name);
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^https:\/\/[^/\s]+(\/\S*)?$/.test(value)) {
    throw new Error(`Context value ${name} must be an https URL, got ${JSON.stringify(value)}.`);
  }
  // Links are built as `${PUBLIC_BASE_URL}/${code}`.
  return value.replace(/\/+$/, '');
}

function contextEmail(scope: Construct, name: string): string | undefined {
  const value: unknown = scope.node.tryGetContext(name);
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) {
    throw new Error(`Context value ${name} must be an e-mail address, got ${JSON.stringify(value)}.`);
  }
  return value;
}

function contextCertificateArn(scope: Construct, name: string): string | undefined {
  const value: unknown = scope.node.tryGetContext(name);
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^arn:aws[\w-]*:acm:[\w-]+:\d{12}:certificate\/[\w-]+$/.test(value)) {
    throw new Error(`Context value ${name} must be an ACM certificate ARN, got ${JSON.stringify(value)}.`);
  }
  return value;
}
