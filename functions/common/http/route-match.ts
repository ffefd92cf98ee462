/**
 * Route matching as API Gateway HTTP APIs do it: `{name}` matches one path segment, and when several
 * routes match, the one with literal segments earliest wins (`GET /healthz` beats `GET /{code}`).
 * The local runtime routes every request with it (lib/local/http-server.ts), and a function behind a
 * load balancer, which matches no routes, finds its own with it (./alb.ts).
 */

/** What matching needs of a route: its method and its path template. */
export interface RoutePattern {
  readonly method: string;
  readonly path: string;
}

export interface RouteMatch<R extends RoutePattern = RoutePattern> {
  route: R;
  pathParameters: Record<string, string>;
}

/** A route's path template split once: each segment a literal, or the name of a parameter. */
type Template = ReadonlyArray<{ literal: string } | { param: string }>;
const templates = new WeakMap<RoutePattern, Template>();

function templateOf(route: RoutePattern): Template {
  let template = templates.get(route);
  if (!template) {
    template = route.path
      .split('/')
      .slice(1)
      .map((part) => {
        const param = /^\{([A-Za-z0-9_]+)\}$/.exec(part)?.[1];
        return param ? { param } : { literal: part };
      });
    templates.set(route, template);
  }
  return template;
}

/** The routes of a list by method and number of segments, in list order: a request only tries those. */
const candidatesByList = new WeakMap<readonly RoutePattern[], Map<string, RoutePattern[]>>();

function candidatesOf<R extends RoutePattern>(
  routes: readonly R[],
  method: string,
  segmentCount: number,
): R[] {
  let index = candidatesByList.get(routes) as Map<string, R[]> | undefined;
  if (!index) {
    index = new Map();
    for (const route of routes) {
      const key = `${route.method} ${templateOf(route).length}`;
      const list = index.get(key);
      if (list) list.push(route);
      else index.set(key, [route]);
    }
    candidatesByList.set(routes, index);
  }
  return index.get(`${method} ${segmentCount}`) ?? [];
}

export function matchRoute<R extends RoutePattern>(
  routes: readonly R[],
  method: string,
  rawPath: string,
): RouteMatch<R> | undefined {
  const segments = rawPath.split('/').slice(1);
  const wanted = method.toUpperCase();
  let best: { match: RouteMatch<R>; score: number[] } | undefined;
  // Indexed once per route list, not scanned on every request: the router runs before each one.
  for (const route of candidatesOf(routes, wanted, segments.length)) {
    const template = templateOf(route);
    const pathParameters: Record<string, string> = {};
    const score: number[] = [];
    let ok = true;
    for (let i = 0; i < template.length && ok; i++) {
      const part = template[i] ?? { literal: '' };
      const actual = segments[i] ?? '';
      const param = 'param' in part ? part.param : undefined;
      if (param) {
        const decoded = safeDecode(actual);
        if (actual === '' || decoded === undefined) ok = false;
        else pathParameters[param] = decoded;
        score.push(0);
      } else {
        ok = 'literal' in part && part.literal === actual;
        score.push(1);
      }
    }
    if (ok && (!best || compare(score, best.score) > 0)) best = { match: { route, pathParameters }, score };
  }
  return best?.match;
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
