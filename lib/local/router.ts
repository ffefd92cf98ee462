/**
 * Route matching as API Gateway HTTP APIs do it: `{name}` matches one path segment, and when several
 * routes match, the one with literal segments earliest wins (`GET /healthz` beats `GET /{code}`).
 */
import type { HttpMethod, RouteSpec } from '../wiring';

export interface RouteMatch {
  route: RouteSpec;
  pathParameters: Record<string, string>;
}

export function matchRoute(
  routes: readonly RouteSpec[],
  method: string,
  rawPath: string,
): RouteMatch | undefined {
  const segments = rawPath.split('/').slice(1);
  let best: { match: RouteMatch; score: number[] } | undefined;
  for (const route of routes) {
    if (route.method !== (method.toUpperCase() as HttpMethod)) continue;
    const template = route.path.split('/').slice(1);
    if (template.length !== segments.length) continue;
    const pathParameters: Record<string, string> = {};
    const score: number[] = [];
    let ok = true;
    for (let i = 0; i < template.length && ok; i++) {
      const part = template[i] ?? '';
      const actual = segments[i] ?? '';
      const param = /^\{([A-Za-z0-9_]+)\}$/.exec(part)?.[1];
      if (param) {
        const decoded = safeDecode(actual);
        if (actual === '' || decoded === undefined) ok = false;
        else pathParameters[param] = decoded;
        score.push(0);
      } else {
        ok = part === actual;
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
