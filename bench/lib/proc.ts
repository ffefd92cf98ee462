/**
 * What each process of a run costs in CPU, read from /proc (Linux). On a 2-core machine that runs
 * the server, DynamoDB Local and the load generator at once, CPU per request explains a throughput
 * ratio better than latency does.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const ticksPerSecond = (() => {
  const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const value = Number(out.stdout.trim());
  return Number.isFinite(value) && value > 0 ? value : 100;
})();

/** User plus system CPU time of a process so far, in milliseconds. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces; every other field follows its closing ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / ticksPerSecond;
}

/** Ids of running processes whose program is `program` and whose arguments contain every part. */
export function pidsOf(program: string, ...parts: string[]): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // The process ended between the listing and the read.
    }
    const name = argv[0]?.split('/').pop();
    const args = argv.join(' ');
    if (name === program && parts.every((part) => args.includes(part))) pids.push(Number(entry));
  }
  return pids;
}

/**
 * The Java process of a DynamoDB Local started on a data directory of ours (its -dbPath names the
 * directory); its `sh` guard, which names the same jar and directory, is not counted.
 */
export function dynamoDbLocalPids(dataDirMarker: string): number[] {
  return pidsOf('java', 'DynamoDBLocal.jar', dataDirMarker);
}

/**
 * CPU of this process's children that have ended and been reaped (cutime + cstime), in ms: the
 * exact cost of a short-lived child such as the load generator, read before and after it runs.
 */
export function endedChildrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / ticksPerSecond;
}

/** CPU time the whole machine spent busy (all cores, steal included), in ms. */
export function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  // cpu user nice system idle iowait irq softirq steal …: everything but idle and iowait is busy.
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  const busy = [user, nice, system, irq, softirq, steal].reduce<number>((sum, v) => sum + (v ?? 0), 0);
  return (busy * 1000) / ticksPerSecond;
}

/**
 * Stops processes (SIGSTOP) so that a side measured alone shares the machine with nothing: its
 * counterpart's server and DynamoDB Local use no CPU while paused.
 */
export function pause(pids: number[]): void {
  for (const pid of pids) process.kill(pid, 'SIGSTOP');
}

/** Lets paused processes run again (SIGCONT); one already gone is left to the checks after each run. */
export function resume(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // Already gone: the checks after each run say so.
    }
  }
}
