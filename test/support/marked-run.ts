/**
 * Runs a command as a child whose whole tree is recognisable: every process it starts (Jest's
 * workers, `npm start`, DynamoDB Local's Java, Chromium) inherits TMPDIR set to a fresh directory,
 * and puts its own temporary files (data directories, browser profiles) there too. So a test can
 * ask which processes of that run are still alive once it has ended, without touching anyone
 * else's on a shared machine.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface MarkedRun {
  /** The run's TMPDIR: the marker in every process's environment. */
  marker: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when it was still running at the deadline and had to be killed. */
  timedOut: boolean;
  output: string;
}

export interface MarkedProcess {
  pid: number;
  command: string;
}

/** Live processes whose environment has TMPDIR=`marker` (this machine's /proc; zombies excluded). */
export function processesOf(marker: string): MarkedProcess[] {
  const found: MarkedProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (status.slice(status.lastIndexOf(')') + 2).startsWith('Z')) continue;
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (!environ.includes(`TMPDIR=${marker}`)) continue;
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      found.push({ pid: Number(entry), command });
    } catch {
      // It ended between the listing and the read, or is not ours to read.
    }
  }
  return found;
}

/**
 * Waits (a bounded time: processes take a moment to go after their parent) until no process of
 * the run is left, and returns what is left then. Whatever is left is then killed, so that a
 * failing test does not leak it.
 */
export async function leftoversOf(marker: string, graceMs = 20_000): Promise<MarkedProcess[]> {
  const deadline = Date.now() + graceMs;
  let left = processesOf(marker);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    left = processesOf(marker);
  }
  for (const { pid } of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  return left;
}

/**
 * Runs `args` with this Node.js binary in `cwd`, in a process group of its own with its own TMPDIR,
 * and kills the group if it has not ended within `timeoutMs` (a hang shows as `timedOut`).
 */
export function runMarked(
  args: string[],
  options: {
    cwd: string;
    env: NodeJS.ProcessEnv;
    timeoutMs: number;
    /** Checked every 200 ms: once true, the child's group is killed with SIGKILL (a crash). */
    killWhen?: (output: string) => boolean;
  },
): Promise<MarkedRun> {
  const marker = mkdtempSync(join(tmpdir(), 'creditlink-run-'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: options.cwd,
      env: { ...options.env, TMPDIR: marker },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-64_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, options.timeoutMs);
    const killWhen = options.killWhen;
    const watcher = killWhen
      ? setInterval(() => {
          if (killWhen(output)) killGroup();
        }, 200)
      : undefined;
    child.once('error', (err) => {
      clearTimeout(timer);
      clearInterval(watcher);
      reject(err);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      clearInterval(watcher);
      // 'close' follows once its output is drained, unless a process it left holds the pipes.
      const finish = () => resolve({ marker, code, signal, timedOut, output });
      const drained = setTimeout(finish, 2_000);
      child.once('close', () => {
        clearTimeout(drained);
        finish();
      });
    });
  });
}

export const removeMarker = (run: MarkedRun) => rmSync(run.marker, { recursive: true, force: true });
