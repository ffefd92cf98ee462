export default async function globalTeardown(): Promise<void> {
  const child = globalThis.__STORES_PROCESS__;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.stdin?.end();
  await exited;
}
