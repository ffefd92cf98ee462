/**
 * A machine without what the README's prerequisites name, run for real: `jest` itself as a child
 * (the very command a developer types), with CHROMIUM_PATH pointing nowhere or a PATH without
 * Java. Each run must end on its own (no hang), say what is missing, and leave no process behind:
 * every process of a run carries its own TMPDIR, which is how the leftovers are found.
 *
 * The last case kills a test process with SIGKILL while its `npm start` runs: no cleanup code of
 * it runs, and still neither the runtime nor its Java may be left.
 */
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { JAVA_MISSING } from '../../lib/local/dynamodb-local';
import { leftoversOf, type MarkedRun, removeMarker, runMarked } from '../support/marked-run';

const repoRoot = resolve(__dirname, '..', '..');
const jestBin = require.resolve('jest/bin/jest');
/** Far above what a run that ends on its own takes: reaching it means the run hung. */
const HANG_MS = 120_000;

/** This environment minus what would make the inner Jest think it is a worker of this one. */
function childEnv(overrides: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...overrides };
  delete env.JEST_WORKER_ID;
  for (const [name, value] of Object.entries(overrides)) if (value === undefined) delete env[name];
  return env;
}

const runs: MarkedRun[] = [];
async function jest(args: string[], env: Record<string, string | undefined>): Promise<MarkedRun> {
  const run = await runMarked([jestBin, '--ci', '--selectProjects', ...args], {
    cwd: repoRoot,
    env: childEnv(env),
    timeoutMs: HANG_MS,
  });
  runs.push(run);
  return run;
}

afterAll(() => {
  for (const run of runs) removeMarker(run);
});

/** The browser layer's test files, one test each (the storefront and the portal). */
const BROWSER_FILES = 2;

const lines = (output: string) => output.split('\n').filter((line) => line.trim() !== '');

test('without Chromium a developer run skips the browser layer with a notice, and leaves nothing running', async () => {
  const run = await jest(['browser'], { CHROMIUM_PATH: '/nonexistent', CI: undefined });

  expect(run.timedOut).toBe(false);
  expect(run.code).toBe(0);
  expect(run.output).toContain(
    "NOTICE: browser layer skipped. Browser tests need Debian's Chromium at /nonexistent (CHROMIUM_PATH): apt-get update && apt-get install -y chromium",
  );
  expect(lines(run.output)).toContain(`tests: 0 passed, 0 failed, ${BROWSER_FILES} skipped`);
  expect(await leftoversOf(run.marker)).toEqual([]);
}, 150_000);

test('without Chromium a CI run fails in one line, and leaves nothing running', async () => {
  const run = await jest(['browser'], { CHROMIUM_PATH: '/nonexistent', CI: 'true' });

  expect(run.timedOut).toBe(false);
  expect(run.code).toBe(1);
  const reason = lines(run.output).filter((line) => line.includes('/nonexistent'));
  // One line per browser test file, each the same sentence.
  expect(reason).toEqual(
    Array(BROWSER_FILES).fill(
      "    Browser tests need Debian's Chromium at /nonexistent (CHROMIUM_PATH): apt-get update && apt-get install -y chromium (CI=true: the browser layer may not be skipped)",
    ),
  );
  expect(lines(run.output)).toContain(`tests: 0 passed, ${BROWSER_FILES} failed, 0 skipped`);
  expect(await leftoversOf(run.marker)).toEqual([]);
}, 150_000);

test('without Java the layers that need it end at once in one line, and leave nothing running', async () => {
  // A PATH that holds Node.js and nothing else: no `java` on it.
  const bin = mkdtempSync(join(tmpdir(), 'creditlink-nojava-'));
  try {
    symlinkSync(process.execPath, join(bin, 'node'));
    const run = await jest(['browser', 'integration'], { PATH: bin });

    expect(run.timedOut).toBe(false);
    expect(run.code).toBe(1);
    // Jest's own "Running 2 projects:" and the list of them, then the one line.
    const said = lines(run.output).filter((line) => !/^(Running |- )/.test(line));
    expect(said).toEqual([JAVA_MISSING]);
    expect(await leftoversOf(run.marker)).toEqual([]);
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}, 150_000);

test('a test process killed with SIGKILL leaves neither its npm start nor its Java running', async () => {
  // Starts a runtime, says so, and never stops it: no cleanup code runs after a SIGKILL.
  const script =
    "require('./test/support/e2e-runtime.ts').startRuntime().then((r) => console.log('UP', r.dataDir)); setInterval(() => {}, 1000);";
  const run = await runMarked(['--import', 'tsx', '-e', script], {
    cwd: repoRoot,
    env: childEnv({}),
    timeoutMs: HANG_MS,
    killWhen: (output) => output.includes('UP '),
  });
  runs.push(run);

  expect(run.output).toContain('UP ');
  expect(run.signal).toBe('SIGKILL');
  expect(await leftoversOf(run.marker)).toEqual([]);
}, 150_000);
