/**
 * The one adapter between API Gateway's event and a route's action. API Gateway (or the local
 * router) has matched the route; this finds its declaration by route key, then in this order:
 * body size (413), the declared `auth` (401/403), path parameters, query and body against the declared
 * schemas (400 with `issues`), all before the action, and so before any DynamoDB call other than the
 * lookup of an API key. The actions are a mapped type over the route ids: a route without an action,
 * or an action without a route, does not compile; and an action's `principal` is typed by its route's
 * `auth`, so a merchant route's action gets the key's `merchantId` and nothing else to scope by.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { requireEnv } from '../config/env';
import type { ApiKeyKind } from '../domain/api-keys';
import { addMetric } from '../metrics';
import { apiKeyRepo, type StoredApiKey } from '../repos/api-keys';
import { portalSessionRepo } from '../repos/portal-sessions';
import type * as z from '../schemas/zod';
import { bearerToken, isAdminToken, requireAdmin } from './admin-auth';
import { apiError, type ErrorCode, HttpError } from './errors';
import { httpHandler } from './handler';
import { type KeyVerifier, keyVerifier } from './key-auth';
import { assertBodySize, parseJsonBuffer, rawBody, validate } from './request';
import type { HttpResult } from './responses';
import { routeKeyOf } from './route-key';
import type { Auth, RouteSpec, RouteSpecs } from './route-spec';
import { carriesCsrfToken, type SessionVerifier, sessionVerifier } from './session-auth';

/** Who is calling, as the adapter established it from the route's `auth`. */
export type Principal =
  | { kind: 'public' }
  | { kind: 'admin' }
  | { kind: 'merchant'; merchantId: string; keyId: string }
  | { kind: 'influencer'; influencerId: string; keyId: string }
  | { kind: 'session'; influencerId: string; csrfToken: string };
export type PrincipalOf<A extends Auth> = Extract<Principal, { kind: A }>;

const KEY_MESSAGE: Record<ApiKeyKind, string> = {
  merchant: 'A valid merchant API key is required: Authorization: Bearer clk_m_...',
  influencer: 'A valid influencer API key is required: Authorization: Bearer clk_i_...',
};

/**
 * A key route: no credential, or an unknown, deleted or malformed key, is 401; a valid key of the
 * other kind, or the admin token, is 403 with one message for both (CONTRACT §11). Nothing else is
 * said, so an answer tells no more about a key than these rules do.
 */
async function authenticateKey(
  kind: ApiKeyKind,
  event: APIGatewayProxyEventV2,
  keys: KeyVerifier,
): Promise<{ principal: Principal; key: StoredApiKey }> {
  const presented = bearerToken(event);
  if (!presented) throw apiError('unauthorized', KEY_MESSAGE[kind]);
  const key = await keys.verify(presented);
  if (!key) {
    if (await isAdminToken(presented)) throw apiError('forbidden');
    throw apiError('unauthorized', KEY_MESSAGE[kind]);
  }
  if (key.kind !== kind) throw apiError('forbidden');
  const principal: Principal =
    key.kind === 'merchant'
      ? { kind: 'merchant', merchantId: key.ownerId, keyId: key.keyId }
      : { kind: 'influencer', influencerId: key.ownerId, keyId: key.keyId };
  return { principal, key };
}

/**
 * A portal route: no session, or an unknown or expired one, is 401; a request that changes
 * something without the session's CSRF token is 403 (the cookie alone could be a forged post).
 */
async function authenticateSession(
  event: APIGatewayProxyEventV2,
  sessions: SessionVerifier,
): Promise<Principal> {
  const session = await sessions.verify(event);
  if (!session) throw apiError('unauthorized', 'Sign in to the portal with a login link.');
  const method = event.requestContext.http.method;
  if (method !== 'GET' && method !== 'HEAD' && !carriesCsrfToken(event, session)) {
    throw apiError(
      'forbidden',
      'The form did not carry this session’s token; reload the page and try again.',
    );
  }
  return { kind: 'session', influencerId: session.influencerId, csrfToken: session.csrfToken };
}

async function authenticate(
  auth: Auth,
  event: APIGatewayProxyEventV2,
  keys: KeyVerifier | undefined,
  sessions: SessionVerifier | undefined,
): Promise<{ principal: Principal; key?: StoredApiKey }> {
  switch (auth) {
    case 'session':
      if (!sessions) throw new Error('routeHandler built without a session verifier for a portal route.');
      return { principal: await authenticateSession(event, sessions) };
    case 'public':
      return { principal: { kind: 'public' } };
    case 'admin':
      await requireAdmin(event);
      return { principal: { kind: 'admin' } };
    case 'merchant':
    case 'influencer':
      if (!keys) throw new Error('routeHandler built without a key verifier for a key route.');
      return authenticateKey(auth, event, keys);
  }
}

type Parsed<R, K extends 'params' | 'query' | 'body'> = R extends {
  [P in K]: infer S extends z.core.$ZodType;
}
  ? z.output<S>
  : undefined;

export interface ActionInput<R extends RouteSpec> {
  params: Parsed<R, 'params'>;
  query: Parsed<R, 'query'>;
  /** The validated body; for `bodyAfterSignature` routes, a function that validates it when called. */
  body: R extends { bodyAfterSignature: true } ? () => Parsed<R, 'body'> : Parsed<R, 'body'>;
  /** The body's bytes exactly as received (signatures are computed over them). */
  rawBody: Buffer;
  principal: PrincipalOf<R['auth']>;
  event: APIGatewayProxyEventV2;
  context: Context;
}

export type Action<R extends RouteSpec> = (input: ActionInput<R>) => Promise<HttpResult>;
export type Actions<R extends RouteSpecs> = { [K in keyof R]: Action<R[K]> };

export interface RouteHandlerOptions {
  /** Verifies API keys; built from CONFIG_TABLE_NAME when a route needs one (tests inject their own). */
  keys?: KeyVerifier;
  /** Verifies portal sessions; built from CONFIG_TABLE_NAME when a route needs one. */
  sessions?: SessionVerifier;
  /** How a refusal is answered, where it is not the contract's JSON error body (HTML pages). */
  renderError?: (err: HttpError) => HttpResult;
}

const usesKeys = (routes: RouteSpecs) =>
  Object.values(routes).some((r) => r.auth === 'merchant' || r.auth === 'influencer');
const usesSessions = (routes: RouteSpecs) => Object.values(routes).some((r) => r.auth === 'session');

/** The Lambda handler of a function's routes. */
export function routeHandler<R extends RouteSpecs>(
  routes: R,
  actions: Actions<R>,
  options: RouteHandlerOptions = {},
) {
  const byKey = new Map<string, { spec: RouteSpec; action: Action<RouteSpec> }>();
  for (const [id, spec] of Object.entries(routes)) {
    byKey.set(routeKeyOf(spec), { spec, action: actions[id] as unknown as Action<RouteSpec> });
  }
  // Built at start-up, so a function with key routes and no table fails at once, not on a request.
  const keys =
    options.keys ??
    (usesKeys(routes) ? keyVerifier({ repo: apiKeyRepo(requireEnv('CONFIG_TABLE_NAME')) }) : undefined);
  const sessions =
    options.sessions ??
    (usesSessions(routes)
      ? sessionVerifier({ repo: portalSessionRepo(requireEnv('CONFIG_TABLE_NAME')) })
      : undefined);
  return httpHandler(async (event, context) => {
    const route = byKey.get(event.routeKey);
    if (!route) throw apiError('not_found', 'No such route.');
    const { spec, action } = route;
    if (!spec.rejectionMetric) return serve(spec, action, event, context, keys, sessions);
    try {
      return await serve(spec, action, event, context, keys, sessions);
    } catch (err) {
      if (err instanceof HttpError && err.statusCode < 500) {
        addMetric(spec.rejectionMetric, { dimensions: { reason: err.code } });
      }
      throw err;
    }
  }, options.renderError);
}

async function serve(
  spec: RouteSpec,
  action: Action<RouteSpec>,
  event: APIGatewayProxyEventV2,
  context: Context,
  keys: KeyVerifier | undefined,
  sessions: SessionVerifier | undefined,
): Promise<HttpResult> {
  const bytes = rawBody(event);
  assertBodySize(bytes);
  const { principal, key } = await authenticate(spec.auth, event, keys, sessions);
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
  // The key's last use is recorded alongside the action (a request refused above records none),
  // and joined before answering: see key-auth.ts.
  const recording = key && keys ? keys.recordUse(key) : undefined;
  try {
    return await action({
      params,
      query,
      body,
      rawBody: bytes,
      principal,
      event,
      context,
    } as ActionInput<RouteSpec>);
  } finally {
    await recording;
  }
}

export type { ErrorCode };
