/**
 * What the processes of an `npm start` expose on this machine: the process tree under a pid, the TCP
 * ports those processes listen on (read from /proc, as `ss -ltnp` does), this machine's own
 * non-loopback addresses, and what a connection to one of them gets. Linux only, like our machines.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { resolve } from 'node:path';

const repoRoot = resolve(__dirname, '..', '..');

/** `pid` and every process below it, found through parent pids. */
export function processTree(pid: number): number[] {
  const ps = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' });
  const children = new Map<number, number[]>();
  for (const line of ps.split('\n')) {
    const [child, parent] = line.trim().split(/\s+/).map(Number);
    if (!child || parent === undefined) continue;
    children.set(parent, [...(children.get(parent) ?? []), child]);
  }
  const tree: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift() as number;
    tree.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return tree;
}

/** Whether `pid` still runs (a zombie, dead but not yet reaped, does not). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export interface Listener {
  pid: number;
  address: string;
  port: number;
}

/** Every TCP socket in LISTEN state that one of `pids` holds open. */
export function listeningSockets(pids: number[]): Listener[] {
  const owner = new Map<string, number>();
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone meanwhile
    }
    for (const fd of fds) {
      try {
        const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
        if (inode) owner.set(inode, pid);
      } catch {
        // closed meanwhile
      }
    }
  }
  const found: Listener[] = [];
  for (const [file, v6] of [
    ['/proc/net/tcp', false],
    ['/proc/net/tcp6', true],
  ] as const) {
    let table: string;
    try {
      table = readFileSync(file, 'utf8');
    } catch {
      continue; // no IPv6 here
    }
    for (const row of table.split('\n').slice(1)) {
      const cols = row.trim().split(/\s+/);
      const [local, state, inode] = [cols[1], cols[3], cols[9]];
      if (!local || state !== '0A' || !inode) continue; // 0A: LISTEN
      const pid = owner.get(inode);
      if (pid === undefined) continue;
      const [hexAddress = '', hexPort = ''] = local.split(':');
      found.push({ pid, address: procAddress(hexAddress, v6), port: Number.parseInt(hexPort, 16) });
    }
  }
  return found;
}

/** /proc/net/tcp{,6} print addresses as 32-bit words in host (little-endian) byte order. */
function procAddress(hex: string, v6: boolean): string {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((word) =>
    (word.match(/../g) ?? []).reverse().map((b) => Number.parseInt(b, 16)),
  );
  if (!v6) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return groups.join(':');
}

/** This machine's own addresses that are not loopback (link-local IPv6 with its interface). */
export function nonLoopbackAddresses(): string[] {
  return Object.entries(networkInterfaces()).flatMap(([name, addresses]) =>
    (addresses ?? [])
      .filter((a) => !a.internal)
      .map((a) =>
        a.family === 'IPv6' && a.address.startsWith('fe80:') ? `${a.address}%${name}` : a.address,
      ),
  );
}

/** What a TCP connection to host:port gets: `connected`, or the error code (ECONNREFUSED, …). */
export function connectOutcome(host: string, port: number): Promise<string> {
  return new Promise((done) => {
    const socket = connect({ host, port });
    socket.setTimeout(5_000, () => {
      socket.destroy();
      done('no answer within 5 s');
    });
    socket.once('connect', () => {
      socket.destroy();
      done('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
  });
}

export interface FailedStart {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** Runs `npm start` (bin/local.ts) with `env` until it exits on its own (or kills it after 90 s). */
export function runUntilExit(env: Record<string, string>): Promise<FailedStart> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts'], {
    cwd: repoRoot,
    env: { ...process.env, PAYOUT_SCHEDULE_EVERY_MS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) stream?.on('data', (c: Buffer) => (output += c));
  const timer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 90_000);
  return new Promise((done) =>
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, output });
    }),
  );
}
