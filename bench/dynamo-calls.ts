/**
 * DynamoDB calls per warm redirect, counted as they are sent. The local runtime (startLocalRuntime,
 * what `npm start` runs) runs in this process, and every HTTP request this process sends to its
 * DynamoDB Local is counted by operation and table (bench/lib/dynamo-counter.ts).
 *
 * Runs last: startLocalRuntime sets process.env for the handlers it serves.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { freePort } from '../lib/local/ports';
import { startLocalRuntime } from '../lib/local/runtime';
import { functions, type TableKey, tables } from '../lib/wiring';
import { createLink, followAsShopper, shopperHeaders } from './lib/catalog';
import { countDynamoCalls, diff, total } from './lib/dynamo-counter';
import { fixed, int, table } from './lib/format';
import { runLoad } from './lib/load';
import type { BenchContext, BenchModule, Row, Section } from './lib/types';

/** Enough sequential requests to see the steady state, few enough to stay inside one cache TTL. */
const SEQUENTIAL_REQUESTS = 200;
/** Enough concurrent requests to last longer than the link cache's TTL, so refreshes are counted. */
const CONCURRENT_REQUESTS = 2000;

export const dynamoCallsBench: BenchModule = {
  id: 'dynamo-calls',
  async run(ctx: BenchContext): Promise<Section> {
    const { scope, settings, log } = ctx;
    log('starting the local runtime in-process, counting its DynamoDB calls…');
    const runtime = await startLocalRuntime({
      port: await freePort(),
      host: '127.0.0.1',
      dataDir: join(ctx.tmpDir, 'data'),
      adminToken: randomBytes(16).toString('hex'),
    });
    scope.defer('in-process runtime', () => runtime.stop());
    const counter = countDynamoCalls(runtime.dynamoEndpoint);
    scope.defer('DynamoDB call counter', async () => counter.stop());

    // The redirect can only reach the tables the manifest binds to it (in AWS, its IAM grants), so
    // calls on other tables in a window are background work (the outbox redrive timer), not its.
    const redirectTables = new Set(
      (Object.keys(functions.redirect.tables) as TableKey[]).map((key) => process.env[tables[key].envVar]),
    );
    const clicksTable = process.env[tables.clicks.envVar];
    const isRedirects = (key: string) => redirectTables.has(key.slice(key.indexOf(' ') + 1));
    const only = (calls: Map<string, number>, match: (key: string) => boolean) =>
      new Map([...calls].filter(([key]) => match(key)));

    const link = await createLink(runtime.url, runtime.adminToken);
    const measure = async <T>(action: () => Promise<T>) => {
      const before = counter.snapshot();
      const result = await action();
      return { result, calls: diff(before, counter.snapshot()) };
    };

    const cold = await measure(() => followAsShopper(link));
    if (total(only(cold.calls, isRedirects)) === 0) {
      throw new Error(
        `No DynamoDB call on the redirect's tables (${[...redirectTables].join(', ')}) was seen during a redirect; ` +
          `calls to ${runtime.dynamoEndpoint}: ${describe(cold.calls)}`,
      );
    }

    // Sequential warm requests: each one's calls are exactly those made while it was in flight.
    log(`${SEQUENTIAL_REQUESTS} sequential warm redirects…`);
    const grouped = new Map<string, number>(); // calls one request made → number of requests
    let background = new Map<string, number>();
    let warm = 0;
    let warmCalls = 0;
    for (let i = 0; i < SEQUENTIAL_REQUESTS; i++) {
      const { calls } = await measure(() => followAsShopper(link));
      const own = only(calls, isRedirects);
      background = merge(
        background,
        only(calls, (key) => !isRedirects(key)),
      );
      grouped.set(describe(own), (grouped.get(describe(own)) ?? 0) + 1);
      // A request that read the link or the merchant refreshed the cache: it was not a warm one.
      if (![...own.keys()].some((key) => key.startsWith('GetItem'))) {
        warm += 1;
        warmCalls += total(own);
      }
    }
    const callsPerWarm = warmCalls / Math.max(1, warm);

    log(`concurrent run: ${CONCURRENT_REQUESTS} requests at ${settings.connections} connections…`);
    const loaded = await measure(() =>
      runLoad({
        url: link.url,
        connections: settings.connections,
        durationSeconds: settings.durationSeconds,
        amount: CONCURRENT_REQUESTS,
        headers: shopperHeaders,
      }),
    );
    const redirects = loaded.result.statusCounts['302'] ?? 0;
    const otherStatuses = loaded.result.responses - redirects;
    const loadCalls = only(loaded.calls, isRedirects);
    background = merge(
      background,
      only(loaded.calls, (key) => !isRedirects(key)),
    );
    const clickWrites = loadCalls.get(`PutItem ${clicksTable}`) ?? 0;

    const rows: Row[] = [
      {
        figure: 'DynamoDB calls per warm redirect (each request sent to DynamoDB Local counted)',
        value: fixed(callsPerWarm, Number.isInteger(callsPerWarm) ? 0 : 3),
        baseline: '—',
        ratio: '—',
        goal: '= 1',
        met: warm > 0 && callsPerWarm === 1,
      },
      {
        figure: `DynamoDB calls per redirect, ${int(redirects)} redirects at ${settings.connections} connections, cache refreshes included`,
        value: fixed(total(loadCalls) / redirects, 4),
        baseline: '—',
        ratio: '—',
        goal: '',
      },
      {
        figure: 'Click writes per redirected request (same run)',
        value: fixed(clickWrites / redirects, 4),
        baseline: '—',
        ratio: '—',
        goal: '= 1 (CONTRACT §3)',
        met: clickWrites === redirects && otherStatuses === 0,
      },
      {
        figure: 'DynamoDB calls, first (cold) redirect of a link',
        value: String(total(only(cold.calls, isRedirects))),
        baseline: '—',
        ratio: '—',
        goal: '',
      },
    ];

    return {
      title: 'DynamoDB calls per redirect',
      rows,
      details: [
        `Sequential warm redirects (${SEQUENTIAL_REQUESTS}), grouped by the calls each one made:`,
        table(
          ['Calls made by one request', 'Requests'],
          [...grouped.entries()].map(([calls, n]) => [calls, String(n)]),
        ),
        `First redirect after the link was created: ${describe(only(cold.calls, isRedirects))}.`,
        `Concurrent run: ${int(redirects)} redirects (${otherStatuses} other responses) in ${loaded.result.durationSeconds.toFixed(1)} s made ${int(total(loadCalls))} DynamoDB calls: ${describe(loadCalls)}.`,
        `Calls on tables the redirect is not bound to, made meanwhile by background work: ${describe(background)}.`,
      ],
      howMeasured: `**DynamoDB calls.** The local runtime (\`startLocalRuntime\`, what \`npm start\` runs) runs in the bench's own process on a fresh DATA_DIR, and every HTTP request the process sends to its DynamoDB Local is counted as it is sent (\`http.ClientRequest.prototype.end\` is wrapped for the count) by \`X-Amz-Target\` operation and \`TableName\` — so every SDK call of every handler is seen, retries included, with no change to their code and whenever their SDK client was built (the runtime's start-up outbox redrive builds it before the first request). Only calls on the tables the wiring manifest binds to the redirect function (its only tables in AWS) are attributed to redirects; anything else in the window (the outbox-redrive timer) is listed apart. After the first (cold) redirect, ${SEQUENTIAL_REQUESTS} redirects are sent one at a time and the calls made during each are counted; a request that read the link or merchant is a cache refresh (at most once per \`LINK_CACHE_TTL_MS\`), not a warm one. Then autocannon sends ${CONCURRENT_REQUESTS} of the same requests at ${settings.connections} connections and waits for every response (a fixed count rather than a duration, so that no request is abandoned half-way): calls over 302s gives the figure with cache refreshes included, and click \`PutItem\`s over 302s must be exactly 1.`,
    };
  },
};

function merge(a: Map<string, number>, b: Map<string, number>): Map<string, number> {
  const out = new Map(a);
  for (const [key, n] of b) out.set(key, (out.get(key) ?? 0) + n);
  return out;
}

/** `PutItem creditlink-clicks ×1, GetItem creditlink-config ×2`, biggest first. */
function describe(calls: Map<string, number>): string {
  if (calls.size === 0) return 'none';
  return [...calls.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([key, n]) => `${key} ×${n}`)
    .join(', ');
}
