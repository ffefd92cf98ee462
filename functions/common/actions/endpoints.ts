/**
 * Event endpoints (CONTRACT §12): the operator's, scoped to a merchant, an influencer, both or
 * neither; and a merchant's own, always scoped to that merchant. The signing secret is returned
 * once, at creation, and stored only sealed.
 */
import { stage } from '../config/env';
import { checkEndpointUrl } from '../domain/endpoint-url';
import { generatedId } from '../domain/random-ids';
import { apiError, json, notFound } from '../http/responses';
import {
  type Endpoint,
  type EndpointRepo,
  MAX_ENDPOINTS,
  MAX_ENDPOINTS_PER_OWNER,
  newEndpointSecret,
} from '../repos/endpoints';
import type { CreateEndpointInput } from '../schemas/endpoints';

export interface EndpointDeps {
  endpoints: EndpointRepo;
  now: () => Date;
}

/** Whose endpoints an action may see: the operator's are everyone's, a merchant's only its own. */
export type EndpointScope = { kind: 'admin' } | { kind: 'merchant'; merchantId: string };

/** Locally (CONTRACT §2) a subscriber may listen on this machine, over plain http. */
export const allowLocalEndpoints = () => stage() === 'local';

/** Fields in a stable order, optional ones only when set. */
export const endpointView = (e: Endpoint) => ({
  endpointId: e.endpointId,
  url: e.url,
  events: e.events,
  ...(e.merchantId ? { merchantId: e.merchantId } : {}),
  ...(e.influencerId ? { influencerId: e.influencerId } : {}),
  ...(e.description ? { description: e.description } : {}),
  createdAt: e.createdAt,
});

/** Whether the scope may see the endpoint: another merchant's is answered as if it did not exist. */
export const visibleTo = (scope: EndpointScope, e: Endpoint) =>
  scope.kind === 'admin' || (e.createdBy === 'merchant' && e.merchantId === scope.merchantId);

export async function createEndpoint(deps: EndpointDeps, scope: EndpointScope, input: CreateEndpointInput) {
  if (scope.kind === 'merchant' && input.merchantId !== undefined && input.merchantId !== scope.merchantId) {
    throw apiError('invalid_body', undefined, [
      { path: 'merchantId', message: "Must be the key's own merchant, or left out." },
    ]);
  }
  const merchantId = scope.kind === 'merchant' ? scope.merchantId : input.merchantId;
  const checked = checkEndpointUrl(input.url, { allowLocal: allowLocalEndpoints() });
  if (!checked.ok) {
    throw apiError('invalid_endpoint', undefined, [{ path: 'url', message: checked.message }]);
  }
  const createdAt = deps.now().toISOString();
  // A fresh id on each attempt: a collision is astronomically rare, not impossible.
  for (let attempt = 0; attempt < 3; attempt++) {
    const endpointId = generatedId('end');
    const endpoint: Endpoint = {
      endpointId,
      // The normal form, which is what is checked and contacted (`0x7f.1` is stored as `127.0.0.1`).
      url: checked.url.href,
      events: input.events,
      ...(merchantId ? { merchantId } : {}),
      ...(input.influencerId ? { influencerId: input.influencerId } : {}),
      ...(input.description ? { description: input.description } : {}),
      createdAt,
      createdBy: scope.kind === 'merchant' ? 'merchant' : 'operator',
    };
    const secret = await newEndpointSecret(endpointId);
    const result = await deps.endpoints.create(endpoint, secret.sealed, {
      influencer: scope.kind === 'merchant' ? 'enrolled' : 'exists',
    });
    if (result.ok) return json(201, { ...endpointView(endpoint), secret: secret.plain });
    if (result.reason === 'unknown_merchant') throw notFound('The merchant');
    if (result.reason === 'unknown_influencer') {
      throw scope.kind === 'merchant'
        ? notFound('An influencer enrolled with this merchant')
        : notFound('The influencer');
    }
    if (result.reason === 'limit') {
      throw apiError(
        'endpoint_limit',
        `At most ${MAX_ENDPOINTS_PER_OWNER} endpoints per merchant or influencer, and ${MAX_ENDPOINTS} in all; delete one before making another.`,
      );
    }
  }
  throw apiError('busy', 'Could not store a new endpoint; try again.');
}

export async function listEndpoints(deps: EndpointDeps, scope: EndpointScope) {
  const endpoints = (await deps.endpoints.listAll())
    .filter((e) => visibleTo(scope, e))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.endpointId.localeCompare(b.endpointId));
  return json(200, { items: endpoints.map(endpointView) });
}

export async function getEndpoint(deps: EndpointDeps, scope: EndpointScope, endpointId: string) {
  const endpoint = await deps.endpoints.get(endpointId);
  // Another merchant's endpoint is answered as if it did not exist.
  if (!endpoint || !visibleTo(scope, endpoint)) throw notFound('The endpoint');
  return json(200, endpointView(endpoint));
}

export async function deleteEndpoint(deps: EndpointDeps, scope: EndpointScope, endpointId: string) {
  const merchantId = scope.kind === 'merchant' ? scope.merchantId : undefined;
  if (!(await deps.endpoints.delete(endpointId, merchantId))) throw notFound('The endpoint');
  return { statusCode: 204 };
}
