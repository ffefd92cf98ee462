/**
 * The load generator: autocannon's own CLI in a child process (so it does not share a core's event
 * loop with the server under test), read back through `--json`.
 */
import { dirname, join } from 'node:path';
import { runNode } from './child';

export interface LoadOptions {
  url: string;
  connections: number;
  /** Run for this long; the requests still in flight at the end are abandoned, not counted. */
  durationSeconds: number;
  /**
   * Or send exactly this many requests and wait for every response (used where each request's
   * side effects are counted, so none may be left half-done).
   */
  amount?: number;
  headers: Record<string, string>;
}

export interface LoadResult {
  requestsPerSecond: number;
  /** autocannon records latencies in whole milliseconds. */
  p50Ms: number;
  p99Ms: number;
  responses: number;
  statusCounts: Record<string, number>;
  errors: number;
  timeouts: number;
  durationSeconds: number;
}

const autocannonCli = join(dirname(require.resolve('autocannon/package.json')), 'autocannon.js');

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const args = [
    autocannonCli,
    '--json',
    '--no-progress',
    '--connections',
    String(options.connections),
    ...(options.amount === undefined
      ? ['--duration', String(options.durationSeconds)]
      : ['--amount', String(options.amount)]),
  ];
  // autocannon splits `-H` at the first ':' or '=', so `cookie=vid=…` keeps the cookie's own '='.
  for (const [name, value] of Object.entries(options.headers)) args.push('--headers', `${name}=${value}`);
  args.push(options.url);
  const stdout = await runNode(args, { timeoutMs: (options.durationSeconds + 60) * 1000 });
  return parseResult(stdout);
}

function parseResult(stdout: string): LoadResult {
  const json: unknown = JSON.parse(stdout.slice(stdout.indexOf('{')));
  const number = (path: string[]): number => {
    let at: unknown = json;
    for (const key of path) at = isRecord(at) ? at[key] : undefined;
    if (typeof at !== 'number') throw new Error(`autocannon output has no number at ${path.join('.')}`);
    return at;
  };
  const statusCounts: Record<string, number> = {};
  const stats = isRecord(json) ? json.statusCodeStats : undefined;
  if (isRecord(stats)) {
    for (const [code, entry] of Object.entries(stats)) {
      if (isRecord(entry) && typeof entry.count === 'number') statusCounts[code] = entry.count;
    }
  }
  const responses = number(['requests', 'total']);
  const durationSeconds = number(['duration']);
  return {
    // Every response over the whole run, not the mean of per-second samples: the last partial
    // second counts too.
    requestsPerSecond: responses / durationSeconds,
    p50Ms: number(['latency', 'p50']),
    p99Ms: number(['latency', 'p99']),
    responses,
    statusCounts,
    errors: number(['errors']),
    timeouts: number(['timeouts']),
    durationSeconds,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
