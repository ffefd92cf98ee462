/**
 * The OpenAPI 3.1 document, generated from the wiring manifest and the same zod schemas that
 * validate requests, so the document cannot drift from what the API accepts.
 */
import { SESSION_COOKIE } from '../functions/common/domain/portal-tokens';
import { errorCatalog, errorCodes } from '../functions/common/http/errors';
import { errorResponseSchema } from '../functions/common/schemas/common';
import * as z from '../functions/common/schemas/zod';
import { type RouteSpec, routes } from './wiring';

type JsonSchema = Record<string, unknown>;

export function openApiDocument(serverUrl?: string) {
  const components: Record<string, JsonSchema> = {};

  /** JSON Schema 2020-12 (OpenAPI 3.1's dialect); named schemas become shared components. */
  const schemaOf = (schema: z.core.$ZodType, io: 'input' | 'output'): JsonSchema => {
    const converted = z.toJSONSchema(schema, {
      target: 'draft-2020-12',
      io,
      unrepresentable: 'any',
    }) as JsonSchema;
    const { $schema: _dialect, $defs, ...rest } = converted;
    for (const [name, def] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>)) {
      components[name] = def;
    }
    return JSON.parse(JSON.stringify(rest).replaceAll('#/$defs/', '#/components/schemas/')) as JsonSchema;
  };

  const errorRef = schemaOf(errorResponseSchema, 'output');
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    paths[route.path] ??= {};
    const operation = paths[route.path] as Record<string, unknown>;
    operation[route.method.toLowerCase()] = describe(route, schemaOf, errorRef);
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'creditlink',
      version: '1.0.0',
      description:
        'Tracked short links, signed order webhooks, attribution and payouts for influencer commerce. ' +
        'Money is integer minor units; times are ISO 8601 UTC.',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    /** The error catalog: every code an error body can carry, its status and default message. */
    'x-error-codes': errorCodes.map((code) => ({ code, ...errorCatalog[code] })),
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        adminToken: { type: 'http', scheme: 'bearer', description: 'The admin token.' },
        merchantKey: {
          type: 'http',
          scheme: 'bearer',
          description: "A merchant's API key (`clk_m_…`), made by the operator.",
        },
        influencerKey: {
          type: 'http',
          scheme: 'bearer',
          description: "An influencer's API key (`clk_i_…`), made by the operator.",
        },
        portalSession: {
          type: 'apiKey',
          in: 'cookie',
          name: SESSION_COOKIE,
          description:
            "The influencer portal's session, set by opening a login link; forms also post `csrf`.",
        },
      },
    },
  };
}

/** The security scheme of each credential a route may require. */
export const securitySchemeOf = {
  admin: 'adminToken',
  merchant: 'merchantKey',
  influencer: 'influencerKey',
  session: 'portalSession',
} as const satisfies Record<Exclude<RouteSpec['auth'], 'public'>, string>;

function describe(
  route: RouteSpec,
  schemaOf: (s: z.core.$ZodType, io: 'input' | 'output') => JsonSchema,
  errorRef: JsonSchema,
) {
  const parameters: unknown[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (!schema) continue;
    for (const [name, field] of Object.entries(schema.shape)) {
      parameters.push({
        name,
        in: where,
        required: where === 'path' || !z.safeParse(field, undefined).success,
        schema: schemaOf(field, 'input'),
      });
    }
  }
  const responses: Record<string, unknown> = {};
  for (const [status, spec] of Object.entries(route.responses)) {
    const isError = Number(status) >= 400;
    const schema = spec.schema ? schemaOf(spec.schema, 'output') : isError ? errorRef : undefined;
    responses[status] = {
      description: spec.description,
      ...(schema ? { content: { [spec.contentType ?? 'application/json']: { schema } } } : {}),
    };
  }
  return {
    operationId: `${route.method.toLowerCase()}${route.path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    summary: route.summary,
    ...(route.auth === 'public' ? {} : { security: [{ [securitySchemeOf[route.auth]]: [] }] }),
    ...(parameters.length ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: schemaOf(route.body, 'input') } },
          },
        }
      : {}),
    responses,
  };
}
