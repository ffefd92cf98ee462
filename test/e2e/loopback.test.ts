/**
 * End to end: nothing that `npm start` starts can be reached from the network (CONTRACT §2: the API
 * and the stand-ins on loopback). The stand-ins take unsigned writes, so a port open on another
 * address would let anyone on the network write credits or queue orders.
 */
import { isLoopbackAddress } from '../../lib/local/ports';
import {
  dynamoProcessesOf,
  type E2eRuntime,
  newDataDir,
  removeDataDir,
  startRuntime,
} from '../support/e2e-runtime';
import {
  connectOutcome,
  listeningSockets,
  nonLoopbackAddresses,
  processTree,
  runUntilExit,
} from '../support/runtime-processes';

let runtime: E2eRuntime | undefined;

afterAll(async () => {
  await runtime?.stop('SIGKILL');
  if (runtime) removeDataDir(runtime.dataDir);
}, 30_000);

const portOf = (url: string | undefined) => Number(new URL(url ?? 'http://x:0').port);

test('every port of npm start and its children listens on loopback and refuses other addresses', async () => {
  runtime = await startRuntime();
  const listeners = listeningSockets(processTree(runtime.pid));
  const ports = [...new Set(listeners.map((l) => l.port))].sort((a, b) => a - b);

  // The three it prints are among them: the API, DynamoDB Local (Java) and the SQS emulator.
  const printed = [
    runtime.port,
    portOf(runtime.dynamoEndpoint()),
    portOf(/SQS emulator:\s+(http:\/\/\S+)/.exec(runtime.output())?.[1]),
  ];
  expect(ports).toEqual(expect.arrayContaining(printed));
  expect(listeners.filter((l) => !isLoopbackAddress(l.address))).toEqual([]);

  const addresses = nonLoopbackAddresses();
  if (addresses.length === 0) {
    // Nothing else to connect from: the check above (bound addresses) is all there is to see.
    console.warn('This machine has no non-loopback address; connection refusals were not tried.');
    return;
  }
  const outcomes = await Promise.all(
    addresses.flatMap((host) =>
      ports.map(async (port) => ({ host, port, outcome: await connectOutcome(host, port) })),
    ),
  );
  expect(outcomes.filter((o) => o.outcome !== 'ECONNREFUSED')).toEqual([]);
  // And the same ports do answer on loopback: the refusals above are not of a stopped runtime.
  expect(await Promise.all(ports.map((port) => connectOutcome('127.0.0.1', port)))).toEqual(
    ports.map(() => 'connected'),
  );
}, 120_000);

test('npm start refuses a HOST that is not a loopback address, in one line, and leaves nothing', async () => {
  const dataDir = newDataDir();
  try {
    const exit = await runUntilExit({ HOST: '0.0.0.0', PORT: '0', DATA_DIR: dataDir });
    expect(exit.code).toBe(1);
    expect(exit.output.trim().split('\n')).toEqual([
      'The HTTP API listens on 0.0.0.0, not on loopback: refusing to start.',
    ]);
    expect(dynamoProcessesOf(dataDir)).toEqual([]);
  } finally {
    removeDataDir(dataDir);
  }
}, 120_000);
