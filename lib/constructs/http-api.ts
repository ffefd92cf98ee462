/**
 * The HTTP API (API Gateway v2): one route per `routes` entry of the wiring manifest, the `$default`
 * route for everything else, one Lambda integration per function, access logs and throttling on the
 * `$default` stage.
 */
import { Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type FunctionKey, type RouteSpec, routeKey } from '../wiring';

/**
 * Stage-wide throttling. Well under the account's default (10,000 rps), so one abusive client cannot
 * starve the account's other APIs, yet far above what a creator campaign's click burst needs; raise
 * it here (and the Lambda concurrency quota) for bigger launches.
 */
export const DEFAULT_THROTTLE = { rateLimit: 1000, burstLimit: 2000 } as const;

/** Access logs are the audit trail of admin calls, so they are kept longer than function logs. */
export const ACCESS_LOG_RETENTION = RetentionDays.THREE_MONTHS;

/**
 * One JSON object per request. Deliberately without `$context.identity.sourceIp` and the user agent:
 * no raw IP address is ever written to a log (the redirect stores only a keyed hash of it).
 */
const accessLogFormat = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTimeEpoch: '$context.requestTimeEpoch',
    routeKey: '$context.routeKey',
    method: '$context.httpMethod',
    path: '$context.path',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    responseLatencyMs: '$context.responseLatency',
    integrationLatencyMs: '$context.integrationLatency',
    integrationStatus: '$context.integrationStatus',
    integrationError: '$context.integrationErrorMessage',
    error: '$context.error.message',
  }),
);

export interface CreditlinkHttpApiProps {
  readonly throttle?: { rateLimit: number; burstLimit: number };
}

export class CreditlinkHttpApi extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;
  private readonly integrations = new Map<FunctionKey, HttpLambdaIntegration>();

  constructor(scope: Construct, id: string, props: CreditlinkHttpApiProps = {}) {
    super(scope, id);
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'creditlink: tracked short links, webhooks and the admin API',
      // The $default stage is created below, because HttpApi's own default stage takes neither
      // access-log settings nor throttling.
      createDefaultStage: false,
    });
    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: ACCESS_LOG_RETENTION });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? DEFAULT_THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: accessLogFormat,
      },
    });
  }

  /**
   * The API's base URL (`https://<id>.execute-api.<region>.amazonaws.com`). The `$default` stage is
   * served at the root, so this is the URL short links are built on.
   */
  get endpoint(): string {
    return this.httpApi.apiEndpoint;
  }

  /**
   * Adds every route of the manifest, each mapped to its function's integration, and the `$default`
   * route. Routes are not protected by an API Gateway authorizer, on purpose: see `authReasons`.
   */
  addRoutes(
    routes: readonly RouteSpec[],
    defaultRoute: { fn: FunctionKey },
    fnOf: (key: FunctionKey) => IFunction,
  ) {
    for (const route of routes) {
      const [created] = this.httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: this.integrationFor(route.fn, fnOf),
      });
      if (!created) throw new Error(`HttpApi.addRoutes created no route for ${routeKey(route)}.`);
      Validations.of(created).acknowledge({ id: 'AwsSolutions-APIG4', reason: authReasons[route.auth] });
    }
    const fallback = new HttpRoute(this, 'DefaultRoute', {
      httpApi: this.httpApi,
      routeKey: HttpRouteKey.DEFAULT,
      integration: this.integrationFor(defaultRoute.fn, fnOf),
    });
    Validations.of(fallback).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'The $default route only answers 404 in the contract error shape for paths that match no route; it reads nothing.',
    });
  }

  /** One integration per function, shared by all of its routes. */
  private integrationFor(key: FunctionKey, fnOf: (key: FunctionKey) => IFunction): HttpLambdaIntegration {
    let integration = this.integrations.get(key);
    if (!integration) {
      integration = new HttpLambdaIntegration(`${key}Integration`, fnOf(key));
      this.integrations.set(key, integration);
    }
    return integration;
  }
}

/** Why a route carries no API Gateway authorizer (cdk-nag AwsSolutions-APIG4), by its `auth`. */
const authReasons: Record<RouteSpec['auth'], string> = {
  public:
    'Public by contract: shoppers follow short links, merchants post signed webhooks (verified by HMAC in the function), and /healthz and /openapi.json are meant to be unauthenticated.',
  admin:
    'Protected in the function, not by an API Gateway authorizer: the admin function compares the bearer token with the one in Secrets Manager, so that a refusal is a 401 with the contract error body (an HTTP API authorizer can only answer 401/403 with its own body).',
  merchant:
    "Protected in the function, not by an API Gateway authorizer: the adapter verifies the merchant's API key (its SHA-256 looked up in the config table) so that refusals are 401/403 with the contract error body.",
  influencer:
    "Protected in the function, not by an API Gateway authorizer: the adapter verifies the influencer's API key (its SHA-256 looked up in the config table) so that refusals are 401/403 with the contract error body.",
  session:
    "Protected in the function, not by an API Gateway authorizer: the adapter looks the portal's session cookie up by its SHA-256 in the config table and checks the CSRF token of form posts, so that refusals are the portal's own 401/403 pages.",
};
