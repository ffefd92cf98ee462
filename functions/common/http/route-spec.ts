/**
 * The shape of a route declaration. Each HTTP function declares its routes in its own `routes.ts`
 * (data only: method, path, who may call it, the schemas of its path, query and body, its answers);
 * lib/wiring.ts gathers them for API Gateway, the local router and the OpenAPI document, and the
 * adapter (adapter.ts) enforces the very same declaration on every request.
 */

import type { BusinessMetricName } from '../observability';
import type * as z from '../schemas/zod';
import type { ErrorCode } from './errors';

/** An object schema whose fields can be listed (path and query parameters, one by one). */
export type ObjectSchema = z.core.$ZodObject & { shape: z.core.$ZodShape };

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Who may call a route. `admin`: `Authorization: Bearer <admin token>` (CONTRACT §5). `merchant` and
 * `influencer`: `Authorization: Bearer <API key>` of that kind (`clk_m_…`, `clk_i_…`; CONTRACT §11),
 * and the action is scoped to the key's owner. `session`: the influencer portal's session cookie
 * (CONTRACT §11); a request that is not GET or HEAD must also carry the session's CSRF token (the
 * form field `csrf`), else 403. `public`: anyone (a webhook is public to the adapter: its action
 * verifies the merchant's signature itself).
 */
export type Auth = 'public' | 'admin' | 'merchant' | 'influencer' | 'session';

export interface ResponseSpec {
  description: string;
  schema?: z.core.$ZodType;
  contentType?: string;
}

export interface RouteSpec {
  method: HttpMethod;
  /** API Gateway path template: `{name}` is one segment. */
  path: string;
  /** Required: a route cannot be declared without saying who may call it. */
  auth: Auth;
  summary: string;
  /** Every `{name}` of the path, validated before the action runs. */
  params?: ObjectSchema;
  query?: ObjectSchema;
  body?: z.core.$ZodType;
  /**
   * The action parses the body itself, with the declared schema, after it has verified a signature
   * over the raw bytes (CONTRACT §4 fixes the order: size 413, signature 401, body 400).
   */
  bodyAfterSignature?: true;
  /**
   * The answer to a path that fails `params`, where it is not 400 `invalid_path`: a code that can
   * never exist is simply unknown (404), a webhook for a malformed merchant id a bad signature (401).
   */
  invalidPath?: ErrorCode;
  /** A business metric the adapter counts for each 4xx of this route, with its code as `reason`. */
  rejectionMetric?: BusinessMetricName;
  responses: Record<number, ResponseSpec>;
}

/** A function's routes, by route id; the ids name the actions that serve them. */
export type RouteSpecs = Record<string, RouteSpec>;

/** The answers every admin route may give besides its own. */
export const adminErrorResponses = {
  400: { description: 'Invalid request; `issues` says where.' },
  401: { description: 'Missing or wrong admin token.' },
} satisfies Record<number, ResponseSpec>;

/** The answers every route behind a merchant's or an influencer's API key may give besides its own. */
export const keyErrorResponses = {
  400: { description: 'Invalid request; `issues` says where.' },
  401: { description: 'No API key, or an unknown or deleted one.' },
  403: { description: 'A valid credential of another kind (the other kind of key, or the admin token).' },
} satisfies Record<number, ResponseSpec>;
