/** Past this, the stores process is stuck stopping: kill it (DynamoDB Local's guard stops Java). */
const STOP_TIMEOUT_MS = 20_000;

export default async function globalTeardown(): Promise<void> {
  const child = globalThis.__STORES_PROCESS__;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.stdin?.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
