/**
 * The one adapter between API Gateway's event and a route's action. API Gateway (or the local
 * router) has matched the route; this finds its declaration by route key, then in this order:
 * body size (413), the declared `auth` (401), path parameters, query and body against the declared
 * schemas (400 with `issues`), all before the action, and so before any DynamoDB call. The actions
 * are a mapped type over the route ids: a route without an action, or an action without a route,
 * does not compile.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { z } from 'zod';
import { addMetric } from '../metrics';
import { requireAdmin } from './admin-auth';
import { apiError, type ErrorCode, HttpError } from './errors';
import { httpHandler } from './handler';
import { assertBodySize, parseJsonBuffer, rawBody, validate } from './request';
import type { HttpResult } from './responses';
import { routeKeyOf } from './route-key';
import type { Auth, RouteSpec, RouteSpecs } from './route-spec';

/** Who is calling, as the adapter established it from the route's `auth`. */
export type Principal = { kind: 'public' } | { kind: 'admin' };

const authenticate: Record<Auth, (event: APIGatewayProxyEventV2) => Promise<Principal>> = {
  public: async () => ({ kind: 'public' }),
  admin: async (event) => {
    await requireAdmin(event);
    return { kind: 'admin' };
  },
};

type Parsed<R, K extends 'params' | 'query' | 'body'> = R extends { [P in K]: infer S extends z.ZodType }
  ? z.output<S>
  : undefined;

export interface ActionInput<R extends RouteSpec> {
  params: Parsed<R, 'params'>;
  query: Parsed<R, 'query'>;
  /** The validated body; for `bodyAfterSignature` routes, a function that validates it when called. */
  body: R extends { bodyAfterSignature: true } ? () => Parsed<R, 'body'> : Parsed<R, 'body'>;
  /** The body's bytes exactly as received (signatures are computed over them). */
  rawBody: Buffer;
  principal: Principal;
  event: APIGatewayProxyEventV2;
  context: Context;
}

export type Action<R extends RouteSpec> = (input: ActionInput<R>) => Promise<HttpResult>;
export type Actions<R extends RouteSpecs> = { [K in keyof R]: Action<R[K]> };

/** The Lambda handler of a function's routes. */
export function routeHandler<R extends RouteSpecs>(routes: R, actions: Actions<R>) {
  const byKey = new Map<string, { spec: RouteSpec; action: Action<RouteSpec> }>();
  for (const [id, spec] of Object.entries(routes)) {
    byKey.set(routeKeyOf(spec), { spec, action: actions[id] as unknown as Action<RouteSpec> });
  }
  return httpHandler(async (event, context) => {
    const route = byKey.get(event.routeKey);
    if (!route) throw apiError('not_found', 'No such route.');
    const { spec, action } = route;
    if (!spec.rejectionMetric) return serve(spec, action, event, context);
    try {
      return await serve(spec, action, event, context);
    } catch (err) {
      if (err instanceof HttpError && err.statusCode < 500) {
        addMetric(spec.rejectionMetric, { dimensions: { reason: err.code } });
      }
      throw err;
    }
  });
}

async function serve(
  spec: RouteSpec,
  action: Action<RouteSpec>,
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<HttpResult> {
  const bytes = rawBody(event);
  assertBodySize(bytes);
  const principal = await authenticate[spec.auth](event);
  const params = spec.params
    ? validate(
        spec.params,
        event.pathParameters ?? {},
        spec.invalidPath ?? 'invalid_path',
        spec.invalidPath ? undefined : 'A path parameter is not valid.',
        !spec.invalidPath,
      )
    : undefined;
  const query = spec.query
    ? validate(spec.query, event.queryStringParameters ?? {}, 'invalid_query', 'The query is not valid.')
    : undefined;
  const bodySchema = spec.body;
  const parseBody = () => (bodySchema ? parseJsonBuffer(bytes, bodySchema) : undefined);
  const body = spec.bodyAfterSignature ? parseBody : parseBody();
  return action({
    params,
    query,
    body,
    rawBody: bytes,
    principal,
    event,
    context,
  } as ActionInput<RouteSpec>);
}

export type { ErrorCode };
