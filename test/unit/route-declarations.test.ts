/**
 * The route declarations are the enforcement, so their shape is checked here: every `{name}` of a
 * path has a schema, route keys are unique, and the compile-time guarantees of the adapter hold
 * (the `@ts-expect-error` lines fail `tsc --noEmit`, part of `npm test`, if a guarantee is lost).
 */
import { z } from 'zod';
import { routeHandler } from '../../functions/common/http/adapter';
import { errorCatalog, errorCodes, HttpError } from '../../functions/common/http/errors';
import type { RouteSpecs } from '../../functions/common/http/route-spec';
import { openApiDocument, securitySchemeOf } from '../../lib/openapi';
import { type RouteSpec, routeKey, routes } from '../../lib/wiring';

const paramNames = (route: RouteSpec) => [...route.path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]);

describe('route declarations', () => {
  test.each(routes.map((r) => [routeKey(r), r] as const))(
    '%s declares a schema for each path parameter',
    (_, route) => {
      const declared = Object.keys(route.params?.shape ?? {}).sort();
      expect(declared).toEqual(paramNames(route).sort());
    },
  );

  it('declares each route key once', () => {
    const keys = routes.map(routeKey);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('declares the 401 of every admin route and a description of every answer', () => {
    for (const route of routes) {
      if (route.auth !== 'public') expect(route.responses[401]).toBeDefined();
      if (route.auth === 'merchant' || route.auth === 'influencer')
        expect(route.responses[403]).toBeDefined();
      for (const spec of Object.values(route.responses)) expect(spec.description.length).toBeGreaterThan(0);
    }
  });
});

describe('the error catalog', () => {
  it('gives each code one status, used by every error raised with it', () => {
    for (const code of errorCodes) {
      expect(new HttpError(code).statusCode).toBe(errorCatalog[code].status);
      expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
    }
  });

  it('is listed in the OpenAPI document, with every status a route declares for errors', () => {
    const doc = openApiDocument() as unknown as {
      'x-error-codes': Array<{ code: string; status: number }>;
      components: {
        schemas: Record<string, { properties: { error: { properties: { code: { enum: string[] } } } } }>;
      };
    };
    expect(doc['x-error-codes'].map((e) => e.code)).toEqual(errorCodes);
    expect(doc.components.schemas.Error?.properties.error.properties.code.enum).toEqual(errorCodes);
    const statuses = new Set<number>(errorCodes.map((c) => errorCatalog[c].status));
    for (const route of routes) {
      for (const status of Object.keys(route.responses).map(Number)) {
        if (status >= 400)
          expect({ route: routeKey(route), status, known: statuses.has(status) }).toMatchObject({
            known: true,
          });
      }
    }
  });

  it('marks each route with the security scheme of its credential, and public ones with none', () => {
    const doc = openApiDocument() as unknown as {
      paths: Record<string, Record<string, { security?: unknown }>>;
      components: { securitySchemes: Record<string, { type: string; scheme: string }> };
    };
    for (const route of routes) {
      const operation = doc.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation?.security).toEqual(
        route.auth === 'public' ? undefined : [{ [securitySchemeOf[route.auth]]: [] }],
      );
    }
    for (const scheme of ['adminToken', 'merchantKey', 'influencerKey']) {
      expect(doc.components.securitySchemes[scheme]).toMatchObject({ type: 'http', scheme: 'bearer' });
    }
    expect(routes.some((r) => r.auth === 'merchant') && routes.some((r) => r.auth === 'influencer')).toBe(
      true,
    );
  });
});

// ---- compile-time guarantees (checked by tsc; the functions are never called)

const sample = {
  readThing: {
    method: 'GET',
    path: '/things/{id}',
    auth: 'admin',
    summary: 'Read a thing',
    params: z.object({ id: z.string() }),
    responses: { 200: { description: 'The thing.' } },
  },
} satisfies RouteSpecs;

function compileTimeGuarantees() {
  // @ts-expect-error a route without an action does not compile
  routeHandler(sample, {});

  routeHandler(sample, {
    readThing: async ({ params }) => ({ statusCode: 200, body: params.id }),
    // @ts-expect-error an action without a route does not compile
    deleteThing: async () => ({ statusCode: 204 }),
  });

  routeHandler(sample, {
    // @ts-expect-error the parsed parameters are typed by the declared schema
    readThing: async ({ params }) => ({ statusCode: 200, body: params.other }),
  });

  const noAuth = {
    readThing: { method: 'GET', path: '/things', summary: 'No auth', responses: {} },
  };
  // @ts-expect-error a route without an `auth` declaration cannot be written
  noAuth satisfies RouteSpecs;
}

it('keeps the compile-time guarantees in the type-checked code (tsc --noEmit fails if one is lost)', () => {
  expect(compileTimeGuarantees).toBeInstanceOf(Function);
});
