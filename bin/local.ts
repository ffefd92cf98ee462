/**
 * `npm start` — runs creditlink on this machine (CONTRACT §2). PORT, DATA_DIR and ADMIN_TOKEN
 * configure it; SIGINT or SIGTERM stops everything it started.
 */
import '../lib/local/esm-only-packages';
import { JAVA_MISSING, javaAvailable } from '../lib/local/dynamodb-local';
import { type LocalRuntime, startLocalRuntime } from '../lib/local/runtime';
import { LOCAL_AWS_ENV } from '../lib/local/stores';

Object.assign(process.env, LOCAL_AWS_ENV);

async function main() {
  const started = Date.now();
  // Signals are handled from the first moment: one that arrives during start-up stops the runtime
  // as soon as it is up, so nothing it started is left behind.
  let runtime: LocalRuntime | undefined;
  let stopSignal: string | undefined;
  let stopping = false;
  const stop = (signal: string) => {
    stopSignal ??= signal;
    if (!runtime || stopping) return;
    stopping = true;
    console.log(`${signal} received: stopping…`);
    runtime.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  if (!javaAvailable()) {
    console.error(JAVA_MISSING);
    process.exit(1);
  }
  // Read before the runtime starts: it exports the token it uses to its own handlers' environment.
  const chosenToken = process.env.ADMIN_TOKEN || undefined;
  runtime = await startLocalRuntime({
    port: Number(process.env.PORT ?? 3000),
    host: process.env.HOST ?? '127.0.0.1',
    dataDir: process.env.DATA_DIR ?? '.data',
    adminToken: chosenToken,
  });
  if (stopSignal) {
    stop(stopSignal);
    return;
  }
  console.log(
    `creditlink is running at ${runtime.url} (started in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  // A token the operator chose is theirs to know; logs and terminals must not repeat it. The default
  // one is printed: it works only on this runtime, and a first-time user needs it.
  console.log(`  admin token:     ${chosenToken ? 'set from ADMIN_TOKEN' : runtime.adminToken}`);
  console.log(`  DynamoDB Local:  ${runtime.dynamoEndpoint}   SQS emulator: ${runtime.sqsEndpoint}`);
  console.log(`  data directory:  ${process.env.DATA_DIR ?? '.data'}`);
  console.log(`  try:             curl ${runtime.url}/healthz`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
