/**
 * Starts one set of stand-ins for every integration (and bundles) test file, each with its own table
 * prefix.
 * Jest runs no global teardown when a global setup throws, so a stores process that does not come
 * up is stopped here, before the one-line error that ends the run.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { LOCAL_AWS_ENV } from '../../lib/local/stores';
import { oneLineError, requireJava } from './prerequisites';

declare global {
  var __STORES_PROCESS__: import('node:child_process').ChildProcess | undefined;
}

/** DynamoDB Local gives up after 60 s of its own; past this the stores process is stuck. */
const START_TIMEOUT_MS = 90_000;

export default async function globalSetup(): Promise<void> {
  // The integration and bundles layers share one set in a run (the global setup of each runs in
  // Jest's one main process, before any test): a second would be left running by the teardowns.
  const running = globalThis.__STORES_PROCESS__;
  if (running && running.exitCode === null && running.signalCode === null) return;
  requireJava();
  // Inherited by the test workers: the region and credentials the SDK clients insist on.
  Object.assign(process.env, LOCAL_AWS_ENV);
  const root = resolve(__dirname, '..', '..');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', resolve(root, 'test/support/stores-process.ts')],
    {
      cwd: root,
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  globalThis.__STORES_PROCESS__ = child;
  // Held back during start-up, whose failure quotes its last line; passed through once started.
  let startupErrors = '';
  let started = false;
  child.stderr?.on('data', (chunk: Buffer) => {
    if (started) process.stderr.write(chunk);
    else startupErrors = (startupErrors + chunk.toString('utf8')).slice(-16_000);
  });
  const lastError = () => startupErrors.trim().split('\n').pop() ?? '';
  try {
    const firstLine = await firstLineOf(child, lastError);
    const { dynamoEndpoint, sqsEndpoint } = JSON.parse(firstLine) as {
      dynamoEndpoint: string;
      sqsEndpoint: string;
    };
    process.env.TEST_DYNAMO_ENDPOINT = dynamoEndpoint;
    process.env.TEST_SQS_ENDPOINT = sqsEndpoint;
    started = true;
    if (startupErrors) process.stderr.write(startupErrors);
  } catch (err) {
    await kill(child);
    // Anything before the line that the error quotes is context for it (a stack trace, say).
    const context = startupErrors.trim().split('\n').slice(0, -1).join('\n');
    if (context) process.stderr.write(`${context}\n`);
    const reason = err instanceof Error ? err.message : String(err);
    throw oneLineError(`The test stores (DynamoDB Local and the SQS emulator) did not start: ${reason}`);
  }
}

function firstLineOf(child: ChildProcess, lastError: () => string): Promise<string> {
  return new Promise<string>((done, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`no endpoints within ${START_TIMEOUT_MS / 1000} s. ${lastError()}`)),
      START_TIMEOUT_MS,
    );
    const settle = () => clearTimeout(timer);
    if (!child.stdout) throw new Error('the stores process has no stdout');
    createInterface({ input: child.stdout }).once('line', (line) => {
      settle();
      done(line);
    });
    child.once('error', (err) => {
      settle();
      fail(err);
    });
    // 'close' comes once its output is drained, so the last stderr line is there to quote.
    child.once('close', (code, signal) => {
      settle();
      fail(new Error(lastError() || `it exited (${code ?? signal})`));
    });
  });
}

/** SIGKILL is enough: DynamoDB Local's guard stops Java once the stores process is gone. */
async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGKILL');
  await exited;
}
