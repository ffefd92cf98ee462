/**
 * Child processes of the bench: servers under test and the load generator each get their own
 * process, so on this 2-core machine the load generator never shares an event loop with the server
 * it measures.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Scope } from './scope';

export interface Child {
  name: string;
  pid: number;
  /** The last few KB of stdout and stderr, for error messages and for parsing start-up lines. */
  output(): string;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>;
  /** How it ended, or undefined while it runs. */
  exitStatus(): number | string | undefined;
  /** The first IPC message the child sends (children started with `ipc: true`). */
  firstMessage: Promise<unknown>;
  /** Resolves with the first match of `pattern` in the child's output; rejects if it exits first. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  stop(): Promise<void>;
}

const OUTPUT_KEEP = 16_000;
const STOP_GRACE_MS = 20_000;

/** Runs `args` with this Node.js binary; TypeScript files run through tsx, as `npm start` does. */
export function spawnNode(
  scope: Scope,
  name: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; ipc?: boolean; cwd?: string } = {},
): Child {
  const nodeArgs = args[0]?.endsWith('.ts') ? ['--import', 'tsx', ...args] : args;
  // Set in this process once a bench part has run a handler in a local invocation
  // (lib/local/invocation.ts); inherited, it makes Powertools in a child that imports handler code
  // outside any invocation look for a per-invocation store that is not there.
  const { AWS_LAMBDA_MAX_CONCURRENCY: _inherited, ...env } = options.env ?? process.env;
  const child: ChildProcess = spawn(process.execPath, nodeArgs, {
    cwd: options.cwd ?? process.cwd(),
    env,
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`Could not start ${name}: ${args.join(' ')}`);
  let output = '';
  const watchers = new Set<() => void>();
  // Both pipes are always drained: a child blocked on a full pipe would look like a slow server.
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_KEEP);
    for (const watcher of watchers) watcher();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const firstMessage = new Promise<unknown>((resolve, reject) => {
    child.once('message', resolve);
    void exited.then((how) => reject(new Error(`${name} exited (${how}) before it was ready:\n${output}`)));
  });
  // Callers that never wait for a message must not see an unhandled rejection when the child ends.
  firstMessage.catch(() => undefined);

  let ended = false;
  let status: number | string | undefined;
  void exited.then((how) => {
    ended = true;
    status = how;
  });
  const stop = async () => {
    if (ended) return;
    // SIGTERM first: the runtime then stops DynamoDB Local and the SQS emulator itself.
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (!ended) process.kill(pid, 'SIGKILL');
    }, STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };
  const waitForOutput = (pattern: RegExp, timeoutMs: number) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const done = () => {
        watchers.delete(check);
        clearTimeout(timer);
      };
      const check = () => {
        const match = pattern.exec(output);
        if (match) {
          done();
          resolve(match);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${name} printed no ${pattern} within ${timeoutMs / 1000} s:\n${output}`));
      }, timeoutMs);
      void exited.then((how) => {
        done();
        reject(new Error(`${name} exited (${how}) before printing ${pattern}:\n${output}`));
      });
      watchers.add(check);
      check();
    });
  scope.defer(name, stop);
  return {
    name,
    pid,
    output: () => output,
    exited,
    exitStatus: () => status,
    firstMessage,
    waitForOutput,
    stop,
  };
}

/** Runs a Node.js script to completion and returns its stdout; a non-zero exit is an error. */
export function runNode(args: string[], options: { timeoutMs: number }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      err = (err + chunk.toString('utf8')).slice(-OUTPUT_KEEP);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new Error(`${args.join(' ')} failed (${code ?? signal}):\n${err}`));
    });
  });
}
