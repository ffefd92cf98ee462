/**
 * Keeps DynamoDB Local running under `npm start`. If its Java process dies (an OOM kill, a crash),
 * it is started again on the same port and the same files (DynamoDB Local reopens them safely),
 * after a growing pause; after `maxRestarts` failed tries in a row the runtime gives up as a whole.
 * While it is down, `unavailable()` says so: the local API answers 503 `unavailable` and the
 * pollers pause, instead of failing every request and poll against a closed port.
 *
 * The SQS emulator runs inside this process, so it cannot die without us: only Java is watched.
 */
import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local';

/** Whether the local stand-ins can be reached right now. */
export interface StandInHealth {
  /** Why the stores cannot be reached now, or undefined while they can. */
  unavailable(): string | undefined;
  /** Calls `listener` on each change (with the reason when down); returns its removal. */
  onChange(listener: (unavailable: string | undefined) => void): () => void;
}

export const ALWAYS_UP: StandInHealth = { unavailable: () => undefined, onChange: () => () => {} };

export const MAX_RESTARTS_ENV = 'LOCAL_MAX_RESTARTS';
const DEFAULT_MAX_RESTARTS = 5;
/** A run this long since the last restart counts as recovered: the next death starts a new count. */
const STABLE_AFTER_MS = 60_000;
const FIRST_PAUSE_MS = 500;
const LONGEST_PAUSE_MS = 10_000;

export interface SupervisedDynamoDbLocal extends StandInHealth {
  endpoint: string;
  stop(): Promise<void>;
}

export function maxRestartsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[MAX_RESTARTS_ENV];
  if (raw === undefined || raw === '') return DEFAULT_MAX_RESTARTS;
  const max = Number(raw);
  if (!Number.isSafeInteger(max) || max < 0) throw new Error(`${MAX_RESTARTS_ENV} must be a whole number.`);
  return max;
}

export async function superviseDynamoDbLocal(options: {
  dataDir: string;
  port?: number;
  maxRestarts: number;
  /** Called once, when DynamoDB Local is down for good, with the line that says why. */
  onGiveUp(message: string): void;
  log?: (line: string) => void;
}): Promise<SupervisedDynamoDbLocal> {
  const log = options.log ?? ((line: string) => console.error(line));
  const first = await startDynamoDbLocal({ dataDir: options.dataDir, port: options.port });
  // The same port on every restart: every SDK client was pointed at this endpoint.
  const { endpoint, port } = first;
  let current: DynamoDbLocal | undefined = first;
  let stopped = false;
  let down: string | undefined;
  let restarts = 0;
  let upSince = Date.now();
  let recovering: Promise<void> = Promise.resolve();
  let wake: (() => void) | undefined;
  const listeners = new Set<(unavailable: string | undefined) => void>();

  const setDown = (reason: string | undefined) => {
    down = reason;
    for (const listener of listeners) listener(reason);
  };
  const pause = (ms: number) =>
    new Promise<void>((done) => {
      const timer = setTimeout(done, ms);
      wake = () => {
        clearTimeout(timer);
        done();
      };
    });

  const watch = (instance: DynamoDbLocal) => {
    void instance.exited.then((how) => {
      if (stopped || current !== instance) return;
      current = undefined;
      recovering = recover(how);
    });
  };

  async function recover(how: string): Promise<void> {
    if (Date.now() - upSince >= STABLE_AFTER_MS) restarts = 0;
    setDown(`DynamoDB Local ${how} and is being restarted; retry shortly.`);
    let last = how;
    while (!stopped) {
      if (restarts >= options.maxRestarts) {
        stopped = true;
        options.onGiveUp(
          options.maxRestarts === 0
            ? `DynamoDB Local ${how} and restarts are off (${MAX_RESTARTS_ENV}=0): stopping npm start.`
            : `DynamoDB Local ${how}; ${restarts} restart${restarts === 1 ? '' : 's'} in a row did not keep it up (last: ${last}): stopping npm start.`,
        );
        return;
      }
      restarts += 1;
      const delay = Math.min(LONGEST_PAUSE_MS, FIRST_PAUSE_MS * 2 ** (restarts - 1));
      log(
        `DynamoDB Local ${last}: restarting it on the same data in ${delay} ms (try ${restarts} of ${options.maxRestarts})${
          last === how ? '; meanwhile routes answer 503 and the pollers pause.' : '.'
        }`,
      );
      await pause(delay);
      if (stopped) return;
      try {
        const instance = await startDynamoDbLocal({ dataDir: options.dataDir, port });
        if (stopped) {
          await instance.stop();
          return;
        }
        current = instance;
        upSince = Date.now();
        watch(instance);
        log(`DynamoDB Local is back on ${endpoint}: routes and pollers resume.`);
        setDown(undefined);
        return;
      } catch (err) {
        last = `did not start (${(err instanceof Error ? err.message : String(err)).split('\n')[0]})`;
      }
    }
  }

  watch(first);
  return {
    endpoint,
    unavailable: () => down,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async stop() {
      stopped = true;
      wake?.();
      await recovering;
      await current?.stop();
    },
  };
}
