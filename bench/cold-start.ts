/**
 * Module init of every function against the SDK's floor: how long `require` of a function's bundle
 * takes in a fresh Node.js process (its module scope included, Node.js's own start excluded),
 * beside a bundle that only builds a DynamoDB client (bench/cold-start-floor.ts). Both are built by
 * bench/bundles.ts: the functions as the CDK construct builds them, the floor with esbuild's defaults
 * (the SDK as it ships).
 *
 * Setting (environment): BENCH_COLD_LOADS (15, at least 11), the loads of each side per function.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';
import { FUNCTION_NODE_OPTIONS, NODE_MAJOR } from '../lib/constructs/function-with-log-group';
import { observabilityEnv } from '../lib/function-env';
import {
  buckets,
  type FunctionKey,
  type FunctionSpec,
  functions,
  queues,
  type StreamSpec,
  secrets,
  streams,
  tableEnv,
  tables,
} from '../lib/wiring';
import { type Bundle, type BundleOptions, bundle, bundleTarget } from './bundles';
import { fixed, kib, median, ratio, table } from './lib/format';
import type { BenchContext, BenchModule, Row, Section } from './lib/types';

const GOAL_RATIO = 1.15;
const MIN_LOADS = 11;

/**
 * Runs in each fresh process: times `require` of the bundle, then reports it with any connection or
 * DNS lookup the module scope started (none may: the first invocation is where I/O belongs). The
 * short wait lets a connection begun a few ticks after the require show up.
 */
const LOADER = `'use strict';
const net = require('node:net');
const dns = require('node:dns');
const io = [];
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) { io.push('connect'); return connect.apply(this, args); };
const lookup = dns.lookup;
dns.lookup = function (...args) { io.push('lookup ' + String(args[0])); return lookup.apply(this, args); };
const start = process.hrtime.bigint();
require(process.argv[2]);
const ms = Number(process.hrtime.bigint() - start) / 1e6;
setTimeout(() => {
  process.stdout.write(JSON.stringify({ ms, io }));
  process.exit(0);
}, 25);
`;

/** What Lambda gives every function, with dummy credentials: the SDK then resolves no others. */
const LAMBDA_ENV: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDCOLDSTART',
  AWS_SECRET_ACCESS_KEY: 'cold-start-secret',
  AWS_SESSION_TOKEN: 'cold-start-token',
  AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${NODE_MAJOR}.x`,
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  TZ: ':UTC',
  // Should the bench run on an older Node.js than Lambda's, the SDK would print its support warning.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

const ACCOUNT = '123456789012';

/** The environment the stack gives a function (lib/stack.ts and its construct), with dummy values. */
export function functionEnvOf(key: FunctionKey): Record<string, string> {
  const spec: FunctionSpec = functions[key];
  const env: Record<string, string> = {
    ...LAMBDA_ENV,
    AWS_LAMBDA_FUNCTION_NAME: `creditlink-${key}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
    CREDITLINK_STAGE: 'aws',
    PUBLIC_BASE_URL: 'https://go.example.com',
    // What the construct sets (source maps on): module init is measured as Lambda runs it.
    NODE_OPTIONS: FUNCTION_NODE_OPTIONS,
    ...observabilityEnv(key),
    ...tableEnv(spec, (table) => `creditlink-${table}`),
  };
  // The stack also names each table whose stream the function reads (lib/constructs/streams.ts).
  for (const stream of Object.values(streams) as StreamSpec[]) {
    if (stream.consumer === key) env[tables[stream.table].envVar] = `creditlink-${stream.table}`;
  }
  for (const queue of spec.sends ?? []) {
    env[queues[queue].envVar] = `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/creditlink-${queue}`;
  }
  for (const bucket of Object.keys(spec.buckets ?? {}) as Array<keyof typeof buckets>) {
    env[buckets[bucket].envVar] = `creditlink-${bucket}`;
  }
  for (const secret of spec.secrets) {
    env[secrets[secret].idEnvVar] = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${secret}`;
  }
  return env;
}

interface Load {
  ms: number;
  io: string[];
}

function load(loader: string, bundlePath: string, env: Record<string, string>): Load {
  const run = spawnSync(process.execPath, [loader, bundlePath], { env, encoding: 'utf8', timeout: 30_000 });
  if (run.status !== 0) {
    // The error's own message, not the source line Node.js quotes above it nor the stack below it.
    const lines = `${run.stderr ?? ''}${run.stdout ?? ''}`.split('\n');
    const output = lines.find((line) => /^\w*Error\b/.test(line)) ?? lines.slice(-3).join(' ');
    throw new Error(`exited with ${run.status ?? run.signal}: ${output}`);
  }
  return JSON.parse(run.stdout) as Load;
}

/** Whether a bundle holds zod's classic API (or its v3 copy) rather than only zod/mini and its core. */
function hasClassicZod(metafile: Metafile): boolean {
  return Object.values(metafile.outputs).some((output) =>
    Object.keys(output.inputs).some((path) => /node_modules\/zod\/(v4\/classic|v3)\//.test(path)),
  );
}

async function writeBundle(
  key: string,
  dir: string,
  entry?: string,
  options?: BundleOptions,
): Promise<Bundle & { path: string }> {
  const built = await bundle(key, bundleTarget(), dir, entry, options);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'index.js');
  writeFileSync(path, built.files.js);
  writeFileSync(`${path}.map`, built.files.map);
  return { ...built, path };
}

/**
 * Median of `a` over median of `b`, from `rounds` interleaved pairs, each side first in half of them
 * (as the per-function loop measures).
 */
function interleavedRatio(rounds: number, a: () => number, b: () => number): number {
  const aMs: number[] = [];
  const bMs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const sides = [() => aMs.push(a()), () => bMs.push(b())];
    if (round % 2 === 1) sides.reverse();
    for (const side of sides) side();
  }
  return median(aMs) / median(bMs);
}

interface Result {
  key: FunctionKey;
  bytes: number;
  floorMs: number;
  functionMs: number;
  spread: string;
  classicZod: boolean;
}

export const coldStartBench: BenchModule = {
  id: 'cold-start',
  async run(ctx: BenchContext): Promise<Section> {
    const loads = Math.max(MIN_LOADS, Number(process.env.BENCH_COLD_LOADS ?? 15) || 15);
    const loader = join(ctx.tmpDir, 'load.cjs');
    writeFileSync(loader, LOADER);
    ctx.log('bundling the floor…');
    // The floor is the SDK as it ships, built with esbuild's defaults: what the functions save with
    // lib/bundling/settings.ts is theirs, not a lower floor. The same entry built as the functions
    // are is measured beside it once, so that the table also shows what those settings give.
    const floor = await writeBundle('floor', join(ctx.tmpDir, 'floor'), 'bench/cold-start-floor.ts', {
      sdkAsShipped: true,
    });
    const floorEnv = { ...LAMBDA_ENV, AWS_LAMBDA_FUNCTION_NAME: 'floor', TABLE_NAME: 'floor' };
    const floorAsFunctions = await writeBundle(
      'floor',
      join(ctx.tmpDir, 'floor-as-functions'),
      'bench/cold-start-floor.ts',
    );
    ctx.log(`the floor built as the functions are: ${loads} loads of it and of the floor…`);
    const floorAsFunctionsFactor = interleavedRatio(
      loads,
      () => load(loader, floorAsFunctions.path, { ...floorEnv, NODE_OPTIONS: FUNCTION_NODE_OPTIONS }).ms,
      () => load(loader, floor.path, floorEnv).ms,
    );

    const results: Result[] = [];
    const rows: Row[] = [];
    const problems: string[] = [];
    const loadAtStart = loadavg()[0] ?? 0;
    for (const key of Object.keys(functions) as FunctionKey[]) {
      ctx.log(`cold-start ${key}: bundling, then ${loads} loads of it and of the floor…`);
      const figure = `Module init, ${key} function (median of ${loads} fresh processes)`;
      try {
        const built = await writeBundle(key, join(ctx.tmpDir, key));
        const env = functionEnvOf(key);
        const floorMs: number[] = [];
        const functionMs: number[] = [];
        for (let round = 0; round < loads; round++) {
          // Alternating, and each side first in half of the rounds, so drift on this shared machine
          // (other work, CPU frequency, the page cache) weighs on both alike.
          const sides = [
            () => floorMs.push(load(loader, floor.path, floorEnv).ms),
            () => {
              const measured = load(loader, built.path, env);
              if (measured.io.length > 0) {
                throw new Error(`its module scope did I/O while loading (${measured.io.join(', ')})`);
              }
              functionMs.push(measured.ms);
            },
          ];
          if (round % 2 === 1) sides.reverse();
          for (const side of sides) side();
        }
        const result: Result = {
          key,
          bytes: built.bytes,
          floorMs: median(floorMs),
          functionMs: median(functionMs),
          spread: `${fixed(Math.min(...functionMs), 1)}–${fixed(Math.max(...functionMs), 1)}`,
          classicZod: hasClassicZod(built.metafile),
        };
        results.push(result);
        const measured = result.functionMs / result.floorMs;
        rows.push({
          figure,
          value: `${fixed(result.functionMs, 1)} ms (${kib(result.bytes)})`,
          baseline: `${fixed(result.floorMs, 1)} ms (floor, ${kib(floor.bytes)})`,
          ratio: ratio(result.functionMs, result.floorMs),
          goal: `≤ ${GOAL_RATIO}× floor`,
          met: measured <= GOAL_RATIO,
        });
      } catch (err) {
        problems.push(`${key}: ${err instanceof Error ? err.message : String(err)}`);
        rows.push({
          figure,
          value: 'not measured',
          baseline: '—',
          ratio: '—',
          goal: `≤ ${GOAL_RATIO}× floor`,
          met: false,
        });
      }
    }

    const details = table(
      [
        'Function',
        'Bundle bytes',
        'KiB',
        'Floor median ms',
        'Function median ms',
        'Function min–max ms',
        'Ratio',
        `≤ ${GOAL_RATIO}×`,
        'Ratio to the floor built as the functions',
        'Classic zod in bundle',
      ],
      results.map((r) => [
        r.key,
        String(r.bytes),
        (r.bytes / 1024).toFixed(1),
        fixed(r.floorMs, 1),
        fixed(r.functionMs, 1),
        r.spread,
        ratio(r.functionMs, r.floorMs),
        r.functionMs / r.floorMs <= GOAL_RATIO ? 'met' : '**not met**',
        `${fixed(r.functionMs / r.floorMs / floorAsFunctionsFactor, 2)}×`,
        r.classicZod ? '**yes**' : 'no',
      ]),
    );
    const warnings: string[] = [];
    const withClassicZod = results.filter((r) => r.classicZod).map((r) => r.key);
    if (withClassicZod.length > 0) {
      warnings.push(
        `Classic zod is bundled in ${withClassicZod.join(', ')}: import from functions/common/schemas/zod.ts.`,
      );
    }
    const loadAtEnd = loadavg()[0] ?? 0;
    if (Math.max(loadAtStart, loadAtEnd) > 1.5) {
      warnings.push(
        `Cold-start loads ran on a busy machine (1-minute load ${fixed(loadAtStart, 1)} at the start, ${fixed(loadAtEnd, 1)} at the end): the absolute times are noisy; the interleaved ratios less so.`,
      );
    }
    const overGoal = results.filter((r) => r.functionMs / r.floorMs > GOAL_RATIO).map((r) => r.key);
    const whyOver =
      overGoal.length === 0
        ? []
        : [
            `**Over the goal: ${overGoal.join(', ')}.** Module init is mostly parsing and compiling the bundle (a \`--cpu-prof\` of a load shows it ahead of any module-scope work), so it follows the bundle's bytes (the "Function bundles" table above has each one's largest parts). The functions that serve payout statements (selfService, portal, payouts) carry the S3 client, about 120 KiB, which esbuild inlines into the one CommonJS file although it is imported only at the first statement read; selfService also carries the most own code. Building the S3 client as a second file beside index.js, loaded at its first use, is the change that would take them under; it is not made.`,
          ];
    return {
      title: 'Cold start: module init against the SDK floor',
      rows,
      details: [
        ...whyOver,
        `The floor (bench/cold-start-floor.ts, a DynamoDB client and one PutItem) is ${floor.bytes} bytes (${kib(floor.bytes)}). Built with the functions' settings (lib/bundling/settings.ts) it is ${floorAsFunctions.bytes} bytes (${kib(floorAsFunctions.bytes)}) and loads in ${fixed(floorAsFunctionsFactor, 2)}× the floor's time (medians of ${loads} interleaved pairs); the last ratio column divides by that, for comparison only: the goal is against the floor.`,
        details,
      ],
      problems,
      warnings,
      howMeasured: `**Cold start.** The floor (bench/cold-start-floor.ts: builds a \`DynamoDBClient\` at module scope, sends one PutItem per invocation) and each \`functions\` entry of lib/wiring.ts are bundled by bench/bundles.ts (esbuild, platform node, target ${bundleTarget()}, cjs, minified, everything bundled; the functions with the CDK construct's further settings, see below). For each function, ${loads} rounds each start a fresh \`node\` for the floor and one for the function, alternating which goes first; each process times \`require\` of the bundle's index.js with \`process.hrtime\` inside the process, so Node.js's own start is not counted but the whole module scope is. The figure is the median of each side; the ratio is function ÷ floor, and the goal is ≤ ${GOAL_RATIO}× floor. Each process gets what Lambda and the stack give the function (region, credentials in environment variables, its table, queue, bucket and secret variables from the wiring manifest, with dummy values; Powertools' service and namespace), and fails the measurement if its module scope opens a connection or looks up a host. Source maps are written beside each bundle; the functions load with the construct's \`NODE_OPTIONS\` (\`${FUNCTION_NODE_OPTIONS}\`), as in Lambda, and the floor without. The functions are built with lib/bundling/settings.ts as deployed (the SDK's ES modules, its credential chain reduced to the environment, no browser user-agent parser); the floor is the SDK as it ships (esbuild's defaults: CommonJS clients, full credential chain). Bundle bytes are those of index.js; whether classic zod is in a bundle comes from esbuild's metafile.`,
    };
  },
};
