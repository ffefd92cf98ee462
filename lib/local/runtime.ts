/**
 * `npm start`: the whole system on one machine. Starts the stand-ins for DynamoDB and SQS, creates
 * the tables and queues of the wiring manifest, points the AWS SDK at them through its standard
 * environment variables, and serves the HTTP routes with the same handlers that run in Lambda.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { DEFAULT_LOCAL_ADMIN_TOKEN } from '../../functions/common/config/secrets';
import { buckets } from '../wiring';
import { createApiServer } from './http-server';
import { assertListensOnLoopback } from './ports';
import { provisionLocal, startLocalStores, storesEnv } from './stores';
import { maxRestartsFromEnv } from './supervisor';
import { startWorkers } from './workers';

export interface RuntimeOptions {
  port: number;
  host: string;
  dataDir: string;
  adminToken?: string;
  /** Run the manifest's schedules on timers (default on; tests turn them off). */
  schedules?: boolean;
  /**
   * Called once everything is stopped because DynamoDB Local died and could not be restarted
   * (default: print the line and exit with code 1).
   */
  onFatal?: (message: string) => void;
}

export interface LocalRuntime {
  url: string;
  adminToken: string;
  dynamoEndpoint: string;
  sqsEndpoint: string;
  stop(): Promise<void>;
}

/** Keys that must survive a restart (webhook secrets are sealed with them), kept beside the data. */
function localMasterKey(dataDir: string): string {
  const file = join(dataDir, 'master-key');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

export async function startLocalRuntime(options: RuntimeOptions): Promise<LocalRuntime> {
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  let running: LocalRuntime | undefined;
  let storesLost: string | undefined;
  const onGiveUp = (message: string) => {
    storesLost = message;
    if (!running) return; // start-up fails on its own, with this message
    // Bounded: a handler stuck on the dead store must not keep npm start half alive.
    const stopped = Promise.race([running.stop(), new Promise((r) => setTimeout(r, 10_000).unref())]);
    void stopped.finally(() => (options.onFatal ?? exitWith)(message));
  };
  const stores = await startLocalStores({
    dataDir: join(dataDir, 'dynamodb'),
    supervision: { maxRestarts: maxRestartsFromEnv(), onGiveUp },
  });
  let server: Server | undefined;
  try {
    const provisioned = await provisionLocal(stores, 'creditlink');
    const url = `http://${options.host}:${options.port}`;
    const adminToken = options.adminToken ?? DEFAULT_LOCAL_ADMIN_TOKEN;
    Object.assign(process.env, storesEnv(stores, provisioned), {
      CREDITLINK_STAGE: 'local',
      PUBLIC_BASE_URL: url,
      ADMIN_TOKEN: adminToken,
      MASTER_KEY: localMasterKey(dataDir),
      ...localBucketEnv(dataDir),
    });
    // Listening comes last: once /healthz answers, everything else is already running.
    const workers = await startWorkers(stores, provisioned, options.schedules ?? true, stores.health);
    server = createApiServer(stores.health);
    await listen(server, options.port, options.host).catch(async (err: unknown) => {
      await workers.stop();
      throw err;
    });
    const httpServer = server;
    running = {
      url,
      adminToken,
      dynamoEndpoint: stores.dynamoEndpoint,
      sqsEndpoint: stores.sqsEndpoint,
      async stop() {
        await new Promise<void>((done) => {
          httpServer.close(() => done());
          httpServer.closeAllConnections();
        });
        await workers.stop();
        await stores.stop();
      },
    };
    if (storesLost) {
      await running.stop();
      throw new Error(storesLost);
    }
    return running;
  } catch (err) {
    server?.close();
    await stores.stop();
    throw storesLost ? new Error(storesLost) : err;
  }
}

function exitWith(message: string): never {
  console.error(message);
  process.exit(1);
}

/** Each bucket of the manifest is a directory under DATA_DIR locally. */
export function localBucketEnv(dataDir: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(buckets).map(([key, spec]) => [spec.localDirEnvVar, join(dataDir, key)]),
  );
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      try {
        // HOST may name any address; the API and its unsigned local stand-ins serve this machine only.
        assertListensOnLoopback(server, 'The HTTP API');
        done();
      } catch (err) {
        server.close();
        fail(err);
      }
    });
  });
}
