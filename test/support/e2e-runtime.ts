/**
 * End-to-end harness: runs `npm start` (bin/local.ts under tsx, exactly what the npm script runs) as
 * a child process on a fresh data directory, a free port and its own admin token, and waits until
 * `GET /healthz` answers `200 {"status":"ok"}`.
 *
 * The child is started in its own process group so that, whatever happens, the whole tree can be
 * killed; `stop()` sends SIGTERM (CONTRACT §2: it must stop every process it started), waits for
 * the exit and then checks that no DynamoDB Local process of this data directory is left.
 *
 * Every runtime is registered the moment it is spawned, so `stopEveryRuntime()` (run after each
 * e2e and browser test file) also stops one whose start was abandoned half way, and a watchdog
 * kills the group should this test process die without running any cleanup at all.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';

const repoRoot = resolve(__dirname, '..', '..');
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;

export interface RuntimeExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when the child did not stop on its own and had to be killed. */
  killed: boolean;
}

export interface E2eRuntime {
  baseUrl: string;
  port: number;
  adminToken: string;
  dataDir: string;
  pid: number;
  /** Everything the child printed so far (the tail of it). */
  output(): string;
  /** The DynamoDB Local endpoint that `npm start` printed, if it printed one. */
  dynamoEndpoint(): string | undefined;
  /** Sends `signal` and waits for the child (and its DynamoDB Local) to be gone. Idempotent. */
  stop(signal?: NodeJS.Signals): Promise<RuntimeExit>;
  /**
   * `kill -9` of the whole process group (a crash: no handler runs), then waits for the child's exit
   * and for its DynamoDB Local to be gone, so the same DATA_DIR can be started again.
   */
  crash(): Promise<RuntimeExit>;
}

/** A TCP port that was free on loopback a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

export const newDataDir = () => mkdtempSync(join(tmpdir(), 'creditlink-e2e-'));

export const removeDataDir = (dir: string) => rmSync(dir, { recursive: true, force: true });

/** Command lines of running DynamoDB Local processes that use `dataDir` (none once stopped). */
export function dynamoProcessesOf(dataDir: string): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return ps
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => {
      const [, command = ''] = line.split(/\s+/, 2);
      return /(^|\/)java$/.test(command) && line.includes('DynamoDBLocal') && line.includes(dataDir);
    });
}

/** Every runtime spawned by this process and not yet seen to exit, with its stop. */
const liveRuntimes = new Map<ChildProcess, (signal?: NodeJS.Signals) => Promise<RuntimeExit>>();
let exitHookInstalled = false;

/** If the test process exits without afterAll, take the children with it. */
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of liveRuntimes.keys()) killGroup(child, 'SIGKILL');
  });
}

/**
 * Stops every runtime this process started that is still running or still starting (SIGTERM,
 * then SIGKILL of its group after the grace time). Test files stop their own in afterAll; this is
 * what catches one whose start a failed or timed-out test left behind.
 */
export async function stopEveryRuntime(): Promise<void> {
  await Promise.allSettled([...liveRuntimes.values()].map((stop) => stop()));
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * A shell whose stdin is a pipe from this process: when the pipe closes (this process died, even
 * by SIGKILL, which no exit hook sees), `read` returns and it kills the runtime's process group.
 * In a group of its own, so a Ctrl-C that stops Jest does not stop the watchdog first.
 */
function startWatchdog(runtimePid: number): ChildProcess {
  const watchdog = spawn(
    'sh',
    ['-c', 'read -r _; kill -KILL "-$1" 2>/dev/null', 'runtime-watchdog', String(runtimePid)],
    {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    },
  );
  watchdog.unref();
  (watchdog.stdin as { unref?: () => void } | null)?.unref?.();
  return watchdog;
}

export interface StartOptions {
  dataDir?: string;
  adminToken?: string;
  port?: number;
  /**
   * `health` (the contract's readiness: `GET /healthz` answers 200) or `banner` (also wait until it
   * has printed where it listens, i.e. start-up has run to its end). Default `banner`.
   */
  readyOn?: 'health' | 'banner';
  /**
   * Extra environment for the child. By default the local monthly payout timer is off
   * (`PAYOUT_SCHEDULE_EVERY_MS=0`), so that only a test starts a payout run.
   */
  env?: Record<string, string>;
}

export async function startRuntime(options: StartOptions = {}): Promise<E2eRuntime> {
  installExitHook();
  const dataDir = options.dataDir ?? newDataDir();
  const port = options.port ?? (await freePort());
  const adminToken = options.adminToken ?? `e2e-${Math.random().toString(36).slice(2)}-token`;
  const baseUrl = `http://127.0.0.1:${port}`;

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    DATA_DIR: dataDir,
    ADMIN_TOKEN: adminToken,
    PAYOUT_SCHEDULE_EVERY_MS: '0',
    ...options.env,
  };
  delete env.HOST;
  for (const name of Object.keys(env)) if (name.startsWith('AWS_ENDPOINT_URL')) delete env[name];

  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts'], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  // A child left running by a failed test must not keep Jest alive: the exit hook kills it.
  child.unref();
  const watchdog = child.pid === undefined ? undefined : startWatchdog(child.pid);
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-64_000);
  };
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', collect);
    (stream as { unref?: () => void } | null)?.unref?.();
  }

  let exit: RuntimeExit | undefined;
  const exited = new Promise<RuntimeExit>((done) => {
    child.once('exit', (code, signal) => {
      liveRuntimes.delete(child);
      // The runtime is gone: the watchdog must never fire (its group id could be reused).
      watchdog?.kill('SIGKILL');
      watchdog?.stdin?.destroy();
      exit = { code, signal, killed: false };
      done(exit);
    });
  });

  let stopping: Promise<RuntimeExit> | undefined;
  const stop = (signal: NodeJS.Signals = 'SIGTERM'): Promise<RuntimeExit> => {
    stopping ??= (async () => {
      if (!exit && child.pid !== undefined) {
        try {
          process.kill(child.pid, signal);
        } catch {
          // It ended a moment ago; its exit event is on its way.
        }
      }
      let timer: NodeJS.Timeout | undefined;
      const result = await Promise.race([
        exited,
        new Promise<undefined>((done) => {
          timer = setTimeout(() => done(undefined), STOP_TIMEOUT_MS);
        }),
      ]);
      clearTimeout(timer);
      if (result) return result;
      killGroup(child, 'SIGKILL');
      const forced = await exited;
      return { ...forced, killed: true };
    })();
    return stopping;
  };

  liveRuntimes.set(child, stop);

  const crash = async (): Promise<RuntimeExit> => {
    killGroup(child, 'SIGKILL');
    const result = await stop('SIGKILL');
    // DynamoDB Local runs in a group of its own behind a guard that stops it once we are gone.
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (dynamoProcessesOf(dataDir).length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    return result;
  };

  const runtime: E2eRuntime = {
    baseUrl,
    port,
    adminToken,
    dataDir,
    pid: child.pid ?? -1,
    output: () => output,
    dynamoEndpoint: () => /DynamoDB Local:\s+(http:\/\/\S+)/.exec(output)?.[1],
    stop,
    crash,
  };

  try {
    await waitForHealth(
      baseUrl,
      () => exit,
      () => output,
    );
    // BUG (reported): lib/local/runtime.ts listens before the workers have started, and bin/local.ts
    // installs its SIGTERM/SIGINT handlers only once start-up is over, so /healthz may answer 200
    // while start-up is still running. The tests also wait for the start-up line (it names where it
    // listens), so that only the lifecycle test about it sees the gap.
    if ((options.readyOn ?? 'banner') === 'banner') {
      await waitForOutput(
        baseUrl,
        () => exit,
        () => output,
      );
    }
  } catch (err) {
    await stop('SIGKILL');
    if (!options.dataDir) removeDataDir(dataDir);
    throw err;
  }
  return runtime;
}

async function waitForHealth(
  baseUrl: string,
  exited: () => RuntimeExit | undefined,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    const gone = exited();
    if (gone) throw new Error(`npm start exited during start-up (${JSON.stringify(gone)}):\n${output()}`);
    try {
      const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
      const text = await res.text();
      if (res.status === 200 && isHealthy(text)) return;
      last = `${res.status} ${text}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`npm start was not healthy within ${START_TIMEOUT_MS} ms (last: ${last}):\n${output()}`);
}

async function waitForOutput(
  text: string,
  exited: () => RuntimeExit | undefined,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!output().includes(text)) {
    const gone = exited();
    if (gone) throw new Error(`npm start exited during start-up (${JSON.stringify(gone)}):\n${output()}`);
    if (Date.now() > deadline) throw new Error(`npm start never printed "${text}":\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function isHealthy(text: string): boolean {
  try {
    const body: unknown = JSON.parse(text);
    return typeof body === 'object' && body !== null && (body as { status?: unknown }).status === 'ok';
  } catch {
    return false;
  }
}

/**
 * Every item of the local table whose name contains `nameContains` (e.g. "click"), read straight
 * from the DynamoDB Local that `npm start` runs. The admin API has no list route, so this is how a
 * test proves that something was, or was not, written.
 */
export async function scanTable(
  runtime: E2eRuntime,
  nameContains: string,
): Promise<Array<Record<string, unknown>>> {
  const endpoint = runtime.dynamoEndpoint();
  if (!endpoint) throw new Error(`npm start did not print its DynamoDB Local endpoint:\n${runtime.output()}`);
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const doc = DynamoDBDocumentClient.from(client);
  try {
    const tables = (await client.send(new ListTablesCommand({}))).TableNames ?? [];
    const matching = tables.filter((t) => t.toLowerCase().includes(nameContains.toLowerCase()));
    if (matching.length !== 1) {
      throw new Error(`Expected one table matching "${nameContains}", found: ${tables.join(', ')}`);
    }
    const items: Array<Record<string, unknown>> = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(new ScanCommand({ TableName: matching[0], ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  } finally {
    client.destroy();
  }
}
