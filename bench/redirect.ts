/**
 * Warm-link redirect throughput and latency over HTTP against `npm start` (bin/local.ts as a child
 * process, its own DynamoDB Local and SQS emulator), beside a bare PutItem-and-302 server on the
 * same DynamoDB Local, measured alternately in the same run.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { freePort } from '../lib/local/ports';
import { localTableNames } from '../lib/local/provision';
import { sdkLocal } from '../lib/local/stores';
import { createLink, followAsShopper, shopperHeaders, waitForHealthy } from './lib/catalog';
import { spawnNode } from './lib/child';
import { fixed, int, median, ratio, table } from './lib/format';
import { type LoadResult, runLoad } from './lib/load';
import { cpuMs, dynamoDbLocalPids, endedChildrenCpuMs, machineBusyMs } from './lib/proc';
import type { BenchContext, BenchModule, Row, Section } from './lib/types';

const repoRoot = resolve(__dirname, '..');
/** Beyond this share of the cores busy with other jobs, the report warns that the ratio is noisy. */
const BUSY_MACHINE_SHARE = 0.25;
/** The table prefix startLocalRuntime provisions with. */
const TABLE_PREFIX = 'creditlink';

interface Target {
  name: 'baseline' | 'runtime';
  url: string;
  pid: number;
}

interface Measurement {
  round: number;
  target: Target['name'];
  load: LoadResult;
  /** CPU each process spent per response, in microseconds. */
  serverCpuUs: number;
  dynamoCpuUs: number;
  loadGeneratorCpuUs: number;
  /** Server, DynamoDB Local and load generator together: what one redirect costs this machine. */
  totalCpuUs: number;
  /** Share of the machine's cores busy with anything else (other people's work on a shared host). */
  otherWorkShare: number;
}

export const redirectBench: BenchModule = {
  id: 'redirect',
  async run(ctx: BenchContext): Promise<Section> {
    const { settings, scope, log } = ctx;
    const dataDir = join(ctx.tmpDir, 'data');
    const port = await freePort();
    const adminToken = randomBytes(16).toString('hex');

    log('starting npm start (bin/local.ts) on a fresh DATA_DIR…');
    const runtime = spawnNode(scope, 'runtime (bin/local.ts)', [join(repoRoot, 'bin/local.ts')], {
      cwd: repoRoot,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        ADMIN_TOKEN: adminToken,
      },
    });
    // Its own start-up lines first (printed once it listens): a health check alone could be answered
    // by another process that took the port between freePort() and the child's listen.
    const started = await runtime.waitForOutput(/DynamoDB Local:\s+(http:\/\/\S+)/, 120_000);
    const dynamoEndpoint = started[1];
    if (!dynamoEndpoint) throw new Error('unreachable: the pattern has a group');
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitForHealthy(`${baseUrl}/healthz`, 30_000, runtime.output);
    const javaPid = onlyOne(dynamoDbLocalPids(dataDir), 'DynamoDB Local process');

    const link = await createLink(baseUrl, adminToken);
    const probeClickId = await followAsShopper(link);
    const clicksTable = localTableNames(TABLE_PREFIX).clicks;
    const item = await readClick(dynamoEndpoint, clicksTable, probeClickId);

    log('starting the baseline server (one PutItem per request, same DynamoDB Local)…');
    const baseline = await startBaseline(ctx, {
      BENCH_DYNAMO_ENDPOINT: dynamoEndpoint,
      BENCH_TABLE: clicksTable,
      BENCH_ITEM: JSON.stringify(item),
      BENCH_LOCATION: 'https://shop.example.com/products/42?ref=bench&clk=',
    });
    const baselinePort = await baseline.port;
    const targets: Record<Target['name'], Target> = {
      baseline: {
        name: 'baseline',
        url: `http://127.0.0.1:${baselinePort}/${link.code}`,
        pid: baseline.child.pid,
      },
      runtime: { name: 'runtime', url: link.url, pid: runtime.pid },
    };

    const load = (target: Target, durationSeconds: number) =>
      runLoad({
        url: target.url,
        connections: settings.connections,
        durationSeconds,
        headers: shopperHeaders,
      });

    for (const target of [targets.baseline, targets.runtime]) {
      log(`warm-up: ${target.name}, ${settings.warmupSeconds} s`);
      expectOnly302(target.name, await load(target, settings.warmupSeconds));
    }

    const measurements: Measurement[] = [];
    for (let round = 1; round <= settings.rounds; round++) {
      // Alternate which goes first, so a drift (Java's JIT still warming, the table growing) does not
      // favour one side.
      const order =
        round % 2 === 1 ? [targets.baseline, targets.runtime] : [targets.runtime, targets.baseline];
      for (const target of order) {
        log(`round ${round}/${settings.rounds}: ${target.name}, ${settings.durationSeconds} s`);
        const before = {
          server: cpuMs(target.pid),
          java: cpuMs(javaPid),
          loadgen: endedChildrenCpuMs(),
          all: machineBusyMs(),
          at: Date.now(),
        };
        const result = await load(target, settings.durationSeconds);
        for (const child of [runtime, baseline.child]) {
          const how = child.exitStatus();
          if (how !== undefined)
            throw new Error(`${child.name} exited (${how}) during the run:\n${child.output()}`);
        }
        if (!existsSync(`/proc/${javaPid}`)) {
          throw new Error(
            `DynamoDB Local (pid ${javaPid}) ended during the run while npm start kept running: ` +
              `stopped from outside the bench? npm start said:\n${runtime.output()}`,
          );
        }
        const spent = {
          server: cpuMs(target.pid) - before.server,
          java: cpuMs(javaPid) - before.java,
          loadgen: endedChildrenCpuMs() - before.loadgen,
          all: machineBusyMs() - before.all,
        };
        const perResponse = (ms: number) => (ms * 1000) / Math.max(1, result.responses);
        const other = spent.all - spent.server - spent.java - spent.loadgen;
        measurements.push({
          round,
          target: target.name,
          load: result,
          serverCpuUs: perResponse(spent.server),
          dynamoCpuUs: perResponse(spent.java),
          loadGeneratorCpuUs: perResponse(spent.loadgen),
          totalCpuUs: perResponse(spent.server + spent.java + spent.loadgen),
          otherWorkShare: Math.max(0, other) / ((Date.now() - before.at) * cpus().length),
        });
        expectOnly302(target.name, result);
      }
    }

    // Stopped here rather than only at scope close, to check that SIGTERM to npm start really
    // stops its Java child (CONTRACT §2: no orphan).
    await baseline.child.stop();
    await runtime.stop();
    const leftovers = dynamoDbLocalPids(dataDir);
    if (leftovers.length > 0)
      throw new Error(`DynamoDB Local still running after npm start stopped: ${leftovers}`);

    return summarise(measurements, settings.connections, settings.durationSeconds, item);
  },
};

async function startBaseline(ctx: BenchContext, env: Record<string, string>) {
  const child = spawnNode(ctx.scope, 'baseline server', [join(__dirname, 'servers/baseline.ts')], {
    ipc: true,
    env: { ...process.env, ...env },
  });
  const port = child.firstMessage.then((message) => {
    const value = typeof message === 'object' && message !== null ? Reflect.get(message, 'port') : undefined;
    if (typeof value !== 'number') throw new Error(`baseline server sent ${JSON.stringify(message)}`);
    return value;
  });
  return { child, port };
}

/** The click the probe request wrote, as DynamoDB stores it: the template of the baseline's item. */
async function readClick(endpoint: string, tableName: string, clickId: string) {
  const client = new DynamoDBClient({ endpoint, ...sdkLocal() });
  try {
    const out = await client.send(
      new GetItemCommand({ TableName: tableName, Key: { clickId: { S: clickId } }, ConsistentRead: true }),
    );
    if (!out.Item)
      throw new Error(`The probe redirect answered 302 but click ${clickId} is not in ${tableName}`);
    return out.Item;
  } finally {
    client.destroy();
  }
}

function expectOnly302(name: string, result: LoadResult): void {
  const other = Object.entries(result.statusCounts).filter(([code]) => code !== '302');
  if (other.length > 0 || result.errors > 0 || result.timeouts > 0 || result.responses === 0) {
    throw new Error(
      `${name}: expected only 302s, got ${JSON.stringify(result.statusCounts)}, ` +
        `${result.errors} errors, ${result.timeouts} timeouts`,
    );
  }
}

function onlyOne(pids: number[], what: string): number {
  const [pid, ...rest] = pids;
  if (pid === undefined || rest.length > 0) throw new Error(`Expected one ${what}, found ${pids.length}`);
  return pid;
}

function summarise(
  measurements: Measurement[],
  connections: number,
  durationSeconds: number,
  item: Record<string, unknown>,
): Section {
  const medianOf = (pick: (m: Measurement) => number) => ({
    runtime: median(measurements.filter((m) => m.target === 'runtime').map(pick)),
    baseline: median(measurements.filter((m) => m.target === 'baseline').map(pick)),
  });
  const row = (figure: string, pair: { runtime: number; baseline: number }, digits: number): Row => ({
    figure,
    value: digits === 0 ? int(pair.runtime) : fixed(pair.runtime, digits),
    baseline: digits === 0 ? int(pair.baseline) : fixed(pair.baseline, digits),
    ratio: ratio(pair.runtime, pair.baseline),
    goal: '',
  });
  const rps = medianOf((m) => m.load.requestsPerSecond);
  const totalCpu = medianOf((m) => m.totalCpuUs);
  // Each round's runtime/baseline ratio: two runs seconds apart share most of the machine's drift.
  const pairedRatios = [...new Set(measurements.map((m) => m.round))].map((round) => {
    const inRound = (target: Target['name']) =>
      measurements.find((m) => m.round === round && m.target === target)?.load.requestsPerSecond ??
      Number.NaN;
    return inRound('runtime') / inRound('baseline');
  });

  const rows: Row[] = [
    {
      ...row(`Warm redirect throughput, ${connections} connections (req/s)`, rps, 0),
      goal: '≥ 0.90× baseline',
      met: rps.runtime / rps.baseline >= 0.9,
    },
    row(
      `Warm redirect latency p50, ${connections} connections (ms)`,
      medianOf((m) => m.load.p50Ms),
      0,
    ),
    row(
      `Warm redirect latency p99, ${connections} connections (ms)`,
      medianOf((m) => m.load.p99Ms),
      0,
    ),
    row(
      'CPU per redirect in the server process (µs)',
      medianOf((m) => m.serverCpuUs),
      0,
    ),
    row(
      'CPU per redirect in DynamoDB Local (µs)',
      medianOf((m) => m.dynamoCpuUs),
      0,
    ),
    row('CPU per redirect, server + DynamoDB Local + load generator (µs)', totalCpu, 0),
  ];

  const runs = table(
    [
      'Round',
      'Server',
      'req/s',
      'p50 ms',
      'p99 ms',
      'Responses (all 302)',
      'CPU µs/req: server',
      'DynamoDB Local',
      'load generator',
      'Other work on the machine',
    ],
    measurements.map((m) => [
      String(m.round),
      m.target,
      int(m.load.requestsPerSecond),
      fixed(m.load.p50Ms, 0),
      fixed(m.load.p99Ms, 0),
      int(m.load.responses),
      int(m.serverCpuUs),
      int(m.dynamoCpuUs),
      int(m.loadGeneratorCpuUs),
      `${Math.round(m.otherWorkShare * 100)}% of the cores`,
    ]),
  );
  const itemBytes = Buffer.byteLength(JSON.stringify(item));
  const otherWork = median(measurements.map((m) => m.otherWorkShare));
  const warnings =
    otherWork > BUSY_MACHINE_SHARE
      ? [
          `other jobs used ${Math.round(otherWork * 100)}% of this machine's cores during the median redirect run, ` +
            'so the absolute redirect figures are low and the throughput ratio is noisy (see the per-run table); ' +
            'rerun `npm run bench` on a quiet machine for figures to quote.',
        ]
      : [];
  return {
    title: 'Warm-link redirect over HTTP',
    rows,
    warnings,
    details: [
      `Each run: ${durationSeconds} s at ${connections} connections; the summary gives the median of each server's runs. ` +
        `Runtime/baseline throughput paired by round: ${pairedRatios.map((r) => r.toFixed(2)).join(', ')} ` +
        `(median ${median(pairedRatios).toFixed(2)}).`,
      runs,
      `All three processes share this machine's ${cpus().length} cores, so when nothing else runs the throughput follows the CPU one redirect costs them together: ` +
        `baseline/runtime total CPU per redirect is ${(totalCpu.baseline / totalCpu.runtime).toFixed(2)}, ` +
        'the throughput ratio to expect on a quiet machine; it is much less sensitive to other jobs than req/s is.',
      '"Other work on the machine" is the CPU that neither the two processes under test nor the load generator used, as a share of all cores over the run: other jobs on this shared host. Runs where it is high are the disturbed ones.',
      `Both servers write the same click item (${itemBytes} bytes as DynamoDB JSON, read back from the runtime's own first click) to the same clicks table (with its \`byVisitor\` index and stream) of the same DynamoDB Local.`,
    ],
    howMeasured: `**Redirect.** \`bin/local.ts\` (what \`npm start\` runs) is started as a child process on a fresh temporary DATA_DIR and free port; a merchant, an influencer and a link are created through the admin API, and one probe request is checked to be a 302 carrying a click id whose click item is then read back from DynamoDB. The baseline is a separate bare Node.js \`http\` server (bench/servers/baseline.ts) that awaits exactly one \`PutItem\` through the SDK v3 \`DynamoDBClient\` per request — the same item, to the same table of the same DynamoDB Local — and answers 302 with a Location. autocannon runs as its own process (its CLI, \`--json\`) with ${connections} connections, a desktop Chrome User-Agent and a fixed valid \`vid\` cookie, so every request is a logged, attributable click and sets no new cookie; every response is checked to be a 302. After a warm-up of each server (DynamoDB Local's JIT needs it), baseline and runtime are measured alternately, the order flipping each round, and the median of each is reported; latencies are autocannon's, in whole milliseconds. CPU per request comes from /proc: the server's and Java's own CPU time, the load generator's as a reaped child, and the whole machine's busy time for the rest.`,
  };
}
