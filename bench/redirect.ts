/**
 * Warm-link redirect throughput and latency over HTTP against `npm start` (bin/local.ts as a child
 * process, its own DynamoDB Local and SQS emulator), beside two bare PutItem-and-302 servers
 * measured in turn in the same run: the floor, on a DynamoDB Local of its own with nothing else
 * running (npm start is paused while it is measured), and a baseline on the runtime's own DynamoDB
 * Local while the runtime's pollers run. Also the CPU an idle `npm start` spends.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocal } from '../lib/local/dynamodb-local';
import { freePort } from '../lib/local/ports';
import { createTableInput, localTableNames } from '../lib/local/provision';
import { sdkLocal } from '../lib/local/stores';
import { tables } from '../lib/wiring';
import { createLink, followAsShopper, shopperHeaders, waitForHealthy } from './lib/catalog';
import { spawnNode } from './lib/child';
import { fixed, int, median, ratio, table } from './lib/format';
import { type LoadResult, runLoad } from './lib/load';
import { cpuMs, dynamoDbLocalPids, endedChildrenCpuMs, machineBusyMs, pause, resume } from './lib/proc';
import type { BenchContext, BenchModule, Row, Section } from './lib/types';

const repoRoot = resolve(__dirname, '..');
/** Beyond this share of the cores busy with other jobs, the report warns that the ratio is noisy. */
const BUSY_MACHINE_SHARE = 0.25;
/** The table prefix startLocalRuntime provisions with. */
const TABLE_PREFIX = 'creditlink';
/** How long an idle `npm start` is watched, and the share of one core it may use meanwhile. */
const IDLE_SECONDS = 30;
const IDLE_SETTLE_SECONDS = 20;
const IDLE_GOAL_SHARE_OF_A_CORE = 0.02;

type TargetName = 'floor' | 'baseline' | 'runtime';

interface Target {
  name: TargetName;
  url: string;
  /** The server process. */
  pid: number;
  /** The Java process of the DynamoDB Local it writes to. */
  javaPid: number;
  /** Processes stopped (SIGSTOP) while this target is measured, so that nothing else runs. */
  paused: number[];
}

interface Measurement {
  round: number;
  target: TargetName;
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

    // Before any load: the stream pollers have nothing to catch up on, so this is npm start at rest,
    // once the start-up's own work (Java's JIT compiling the provisioning calls) has settled.
    log(`idle: npm start and its children for ${IDLE_SECONDS} s, after ${IDLE_SETTLE_SECONDS} s at rest…`);
    await new Promise((r) => setTimeout(r, IDLE_SETTLE_SECONDS * 1000));
    const idleBefore = processTreeCpuMs(runtime.pid);
    const idleStart = Date.now();
    await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
    const idleShareOfACore = (processTreeCpuMs(runtime.pid) - idleBefore) / (Date.now() - idleStart);

    const location = 'https://shop.example.com/products/42?ref=bench&clk=';
    log('starting the floor: DynamoDB Local of its own, the clicks table, a bare PutItem-and-302 server…');
    const floorDataDir = join(ctx.tmpDir, 'floor-store');
    const floorStore = await startDynamoDbLocal({ dataDir: floorDataDir });
    scope.defer('floor DynamoDB Local', () => floorStore.stop());
    const floorJavaPid = onlyOne(dynamoDbLocalPids(floorDataDir), 'floor DynamoDB Local process');
    await createClicksTable(floorStore.endpoint, clicksTable);
    const floor = await startBaseline(ctx, 'floor server', {
      BENCH_DYNAMO_ENDPOINT: floorStore.endpoint,
      BENCH_TABLE: clicksTable,
      BENCH_ITEM: JSON.stringify(item),
      BENCH_LOCATION: location,
    });

    log("starting the baseline server (one PutItem per request, the runtime's DynamoDB Local)…");
    const baseline = await startBaseline(ctx, 'baseline server', {
      BENCH_DYNAMO_ENDPOINT: dynamoEndpoint,
      BENCH_TABLE: clicksTable,
      BENCH_ITEM: JSON.stringify(item),
      BENCH_LOCATION: location,
    });
    const targets: Record<TargetName, Target> = {
      floor: {
        name: 'floor',
        url: `http://127.0.0.1:${await floor.port}/${link.code}`,
        pid: floor.child.pid,
        javaPid: floorJavaPid,
        paused: [runtime.pid, javaPid],
      },
      baseline: {
        name: 'baseline',
        url: `http://127.0.0.1:${await baseline.port}/${link.code}`,
        pid: baseline.child.pid,
        javaPid,
        paused: [floorJavaPid],
      },
      runtime: { name: 'runtime', url: link.url, pid: runtime.pid, javaPid, paused: [floorJavaPid] },
    };
    const children = [runtime, baseline.child, floor.child];

    const load = async (target: Target, durationSeconds: number) => {
      pause(target.paused);
      try {
        return await runLoad({
          url: target.url,
          connections: settings.connections,
          durationSeconds,
          headers: shopperHeaders,
        });
      } finally {
        resume(target.paused);
      }
    };
    // A failure with processes still stopped must not leave them stopped for the scope's SIGTERM.
    scope.defer('paused processes', async () => resume([runtime.pid, javaPid, floorJavaPid]));

    const order = [targets.floor, targets.baseline, targets.runtime];
    for (const target of order) {
      log(`warm-up: ${target.name}, ${settings.warmupSeconds} s`);
      expectOnly302(target.name, await load(target, settings.warmupSeconds));
    }

    const measurements: Measurement[] = [];
    for (let round = 1; round <= settings.rounds; round++) {
      // Rotate which goes first, so a drift (Java's JIT still warming, the table growing) does not
      // favour one side.
      const shift = (round - 1) % order.length;
      for (const target of [...order.slice(shift), ...order.slice(0, shift)]) {
        log(`round ${round}/${settings.rounds}: ${target.name}, ${settings.durationSeconds} s`);
        const before = {
          server: cpuMs(target.pid),
          java: cpuMs(target.javaPid),
          loadgen: endedChildrenCpuMs(),
          all: machineBusyMs(),
          at: Date.now(),
        };
        const result = await load(target, settings.durationSeconds);
        for (const child of children) {
          const how = child.exitStatus();
          if (how !== undefined)
            throw new Error(`${child.name} exited (${how}) during the run:\n${child.output()}`);
        }
        for (const pid of [javaPid, floorJavaPid]) {
          if (!existsSync(`/proc/${pid}`)) {
            throw new Error(
              `DynamoDB Local (pid ${pid}) ended during the run: stopped from outside the bench? ` +
                `npm start said:\n${runtime.output()}`,
            );
          }
        }
        const spent = {
          server: cpuMs(target.pid) - before.server,
          java: cpuMs(target.javaPid) - before.java,
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
    await floor.child.stop();
    await baseline.child.stop();
    await runtime.stop();
    const leftovers = dynamoDbLocalPids(dataDir);
    if (leftovers.length > 0)
      throw new Error(`DynamoDB Local still running after npm start stopped: ${leftovers}`);

    return summarise(measurements, settings.connections, settings.durationSeconds, item, idleShareOfACore);
  },
};

/** User plus system CPU of a process and all its descendants (DynamoDB Local's Java, its guard), in ms. */
function processTreeCpuMs(root: number): number {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // The process ended between the listing and the read.
    }
  }
  const inTree = (pid: number): boolean => {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = parentOf.get(p))
      if (p === root) return true;
    return false;
  };
  let total = 0;
  for (const pid of parentOf.keys()) {
    if (!inTree(pid)) continue;
    try {
      total += cpuMs(pid);
    } catch {
      // Ended meanwhile.
    }
  }
  return total;
}

/** The clicks table as the runtime provisions it (its `byVisitor` index and stream included). */
async function createClicksTable(endpoint: string, tableName: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, ...sdkLocal() });
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName, tables.clicks)));
  } finally {
    client.destroy();
  }
}

async function startBaseline(ctx: BenchContext, name: string, env: Record<string, string>) {
  const child = spawnNode(ctx.scope, name, [join(__dirname, 'servers/baseline.ts')], {
    ipc: true,
    env: { ...process.env, ...env },
  });
  const port = child.firstMessage.then((message) => {
    const value = typeof message === 'object' && message !== null ? Reflect.get(message, 'port') : undefined;
    if (typeof value !== 'number') throw new Error(`${name} sent ${JSON.stringify(message)}`);
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
  idleShareOfACore: number,
): Section {
  const medianOf = (pick: (m: Measurement) => number) => {
    const of = (target: TargetName) => median(measurements.filter((m) => m.target === target).map(pick));
    return { runtime: of('runtime'), floor: of('floor'), baseline: of('baseline') };
  };
  type Figures = ReturnType<typeof medianOf>;
  const row = (
    figure: string,
    pair: Figures,
    digits: number,
    against: 'floor' | 'baseline' = 'floor',
  ): Row => ({
    figure,
    value: digits === 0 ? int(pair.runtime) : fixed(pair.runtime, digits),
    baseline: digits === 0 ? int(pair[against]) : fixed(pair[against], digits),
    ratio: ratio(pair.runtime, pair[against]),
    goal: '',
  });
  const rps = medianOf((m) => m.load.requestsPerSecond);
  const serverCpu = medianOf((m) => m.serverCpuUs);
  const totalCpu = medianOf((m) => m.totalCpuUs);
  // Each round's runtime/floor and runtime/baseline ratios: runs seconds apart share most of the drift.
  const rounds = [...new Set(measurements.map((m) => m.round))];
  const pairedRatios = (against: TargetName) =>
    rounds.map((round) => {
      const inRound = (target: TargetName) =>
        measurements.find((m) => m.round === round && m.target === target)?.load.requestsPerSecond ??
        Number.NaN;
      return inRound('runtime') / inRound(against);
    });
  const paired = (against: TargetName) => {
    const ratios = pairedRatios(against);
    return `${ratios.map((r) => r.toFixed(2)).join(', ')} (median ${median(ratios).toFixed(2)})`;
  };

  const rows: Row[] = [
    {
      ...row(
        `Warm redirect throughput, ${connections} connections (req/s), against the floor on its own store`,
        rps,
        0,
      ),
      goal: '≥ 0.90× floor',
      met: rps.runtime / rps.floor >= 0.9,
    },
    {
      ...row(
        `Warm redirect throughput, ${connections} connections (req/s), against the baseline on the runtime's store`,
        rps,
        0,
        'baseline',
      ),
      goal: '≥ 0.90× baseline',
      met: rps.runtime / rps.baseline >= 0.9,
    },
    row(
      `Warm redirect latency p50, ${connections} connections (ms), against the floor`,
      medianOf((m) => m.load.p50Ms),
      0,
    ),
    row(
      `Warm redirect latency p99, ${connections} connections (ms), against the floor`,
      medianOf((m) => m.load.p99Ms),
      0,
    ),
    {
      ...row('CPU per redirect in the server process (µs), against the floor', serverCpu, 0),
      goal: '≤ 1.10× floor',
      met: serverCpu.runtime / serverCpu.floor <= 1.1,
    },
    row(
      'CPU per redirect in DynamoDB Local (µs), against the floor',
      medianOf((m) => m.dynamoCpuUs),
      0,
    ),
    row('CPU per redirect, server + DynamoDB Local + load generator (µs), against the floor', totalCpu, 0),
    {
      figure: `Idle \`npm start\` (with DynamoDB Local and the emulator), CPU over ${IDLE_SECONDS} s (% of one core)`,
      value: fixed(idleShareOfACore * 100, 1),
      baseline: '—',
      ratio: '—',
      goal: `< ${IDLE_GOAL_SHARE_OF_A_CORE * 100} %`,
      met: idleShareOfACore < IDLE_GOAL_SHARE_OF_A_CORE,
    },
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
  const medians = table(
    ['Server', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req: server', 'DynamoDB Local', 'all three'],
    (['floor', 'baseline', 'runtime'] as const).map((target) => [
      target,
      int(rps[target]),
      fixed(medianOf((m) => m.load.p50Ms)[target], 0),
      fixed(medianOf((m) => m.load.p99Ms)[target], 0),
      int(serverCpu[target]),
      int(medianOf((m) => m.dynamoCpuUs)[target]),
      int(totalCpu[target]),
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
        `Runtime/floor throughput paired by round: ${paired('floor')}; runtime/baseline: ${paired('baseline')}.`,
      medians,
      runs,
      `The server, its DynamoDB Local and the load generator share this machine's ${cpus().length} cores, so when nothing else runs the throughput follows the CPU one redirect costs them together: ` +
        `floor/runtime total CPU per redirect is ${(totalCpu.floor / totalCpu.runtime).toFixed(2)}, ` +
        'the throughput ratio to expect on a quiet machine; it is much less sensitive to other jobs than req/s is.',
      '"Other work on the machine" is the CPU that neither the server under test, its DynamoDB Local nor the load generator used, as a share of all cores over the run: for the baseline and the runtime it includes the runtime\'s own pollers (on the baseline\'s runs) and other jobs on this shared host. Runs where it is high are the disturbed ones.',
      ...(rps.runtime / rps.floor >= 0.9 && serverCpu.runtime / serverCpu.floor <= 1.1
        ? []
        : [
            "**Where the runtime's extra CPU goes** (a `node --cpu-prof` profile of `bin/local.ts` under this load, about 6,600 redirects, samples grouped by what was on the stack): sockets and the HTTP parser 37 % (the incoming request, the SDK's request to DynamoDB Local and the answer: the floor pays these too), the AWS SDK 19 % (the document client's marshalling on top of the floor's `PutItem`), the local API Gateway 14 % (the event translation itself about 50 µs a redirect, the rest its response write), middy, Powertools and the adapter 12 %, the redirect handler and its domain rules 5.5 % (mostly the IP hash), the stream poller and aggregator 3 % plus their DynamoDB calls, GC 3 %, the queue pollers 2 %. The profile was taken while the redirect still wrote a metrics line per click (about 110 µs of a redirect, now counted in the aggregator per batch). What is left is per-invocation machinery the floor does not have: an API Gateway event built and read, a middy chain with Powertools' logger context, the document client, the link cache and bot, cookie and IP rules; none of it is one big cost to remove. In DynamoDB Local, the runtime's store costs more per click than the floor's fresh one (the baseline on the same store shows it too): it also serves the stream reads of four pollers and the aggregator's counter transactions.",
          ]),
      `All three servers write the same click item (${itemBytes} bytes as DynamoDB JSON, read back from the runtime's own first click) to a clicks table with its \`byVisitor\` index and stream: the floor to its own DynamoDB Local, the baseline and the runtime to the runtime's.`,
    ],
    howMeasured: `**Redirect.** \`bin/local.ts\` (what \`npm start\` runs) is started as a child process on a fresh temporary DATA_DIR and free port; a merchant, an influencer and a link are created through the admin API, and one probe request is checked to be a 302 carrying a click id whose click item is then read back from DynamoDB. The idle figure is the user + system CPU of that process and all its descendants (DynamoDB Local's Java; the SQS emulator runs inside it) over ${IDLE_SECONDS} s before any load (after ${IDLE_SETTLE_SECONDS} s at rest), as a share of one core. Two bare Node.js \`http\` servers (bench/servers/baseline.ts) await exactly one \`PutItem\` through the SDK v3 \`DynamoDBClient\` per request — the same item — and answer 302 with a Location: the floor writes to a DynamoDB Local of its own (file-backed like the runtime's, the same clicks table definition) and is measured with \`npm start\` and its Java stopped (SIGSTOP), so nothing else runs; the baseline writes to the runtime's own table while the runtime idles beside it. autocannon runs as its own process (its CLI, \`--json\`) with ${connections} connections, a desktop Chrome User-Agent and a fixed valid \`vid\` cookie, so every request is a logged, attributable click and sets no new cookie; every response is checked to be a 302. After a warm-up of each server (DynamoDB Local's JIT needs it), the three are measured in turn, the order rotating each round, and the median of each is reported; latencies are autocannon's, in whole milliseconds. CPU per request comes from /proc: the server's and its Java's own CPU time, the load generator's as a reaped child, and the whole machine's busy time for the rest.`,
  };
}
