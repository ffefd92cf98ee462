/**
 * `npm start`: the whole system on one machine. Starts the stand-ins for DynamoDB and SQS, creates
 * the tables and queues of the wiring manifest, points the AWS SDK at them through its standard
 * environment variables, and serves the HTTP routes with the same handlers that run in Lambda.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { type KeySecret, keyFromLegacyMasterKey } from '../../functions/common/config/keys';
import { DEFAULT_LOCAL_ADMIN_TOKEN } from '../../functions/common/config/secrets';
import { buckets, secrets } from '../wiring';
import { createApiServer } from './http-server';
import { assertListensOnLoopback } from './ports';
import { gatherWritesPerTurn } from './stdout';
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

/**
 * Keys that must survive a restart (webhook secrets are sealed with them), kept beside the data, one
 * file per key. A DATA_DIR from before the keys were split has a `master-key` instead: the new files
 * are derived from it once, so its sealed webhook secrets still open; otherwise they are random.
 */
const KEY_FILES: Record<KeySecret, string> = { ipHashKey: 'ip-hash-key', webhookSealKey: 'webhook-seal-key' };
const LEGACY_MASTER_KEY_FILE = 'master-key';

export function localKeysEnv(dataDir: string): Record<string, string> {
  const legacy = join(dataDir, LEGACY_MASTER_KEY_FILE);
  // Checked before anything is read or derived from them.
  for (const file of [legacy, ...Object.values(KEY_FILES).map((f) => join(dataDir, f))]) {
    refuseIfShared(file);
  }
  const env: Record<string, string> = {};
  for (const [secret, name] of Object.entries(KEY_FILES) as Array<[KeySecret, string]>) {
    const file = join(dataDir, name);
    if (!existsSync(file)) {
      const key = existsSync(legacy)
        ? keyFromLegacyMasterKey(readFileSync(legacy, 'utf8').trim(), secret)
        : randomBytes(32).toString('hex');
      writeFileSync(file, key, { mode: 0o600, flag: 'wx' });
    }
    env[secrets[secret].valueEnvVar] = readFileSync(file, 'utf8').trim();
  }
  return env;
}

/** A key file that group or others can read would hand the keys to any local user. */
function refuseIfShared(file: string): void {
  if (!existsSync(file)) return;
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new Error(
      `Refusing to start: ${file} is accessible by group or others (mode ${mode.toString(8).padStart(4, '0')}); run chmod 600 ${file}.`,
    );
  }
}

export async function startLocalRuntime(options: RuntimeOptions): Promise<LocalRuntime> {
  const dataDir = resolve(options.dataDir);
  gatherWritesPerTurn(process.stdout);
  // Its DynamoDB files hold IP hashes and orders, and the key files sit beside them: owner only.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const keysEnv = localKeysEnv(dataDir);
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
    if (provisioned.missingIndexes.length > 0) {
      // One clear line rather than a 500 later, from the one route that reads the index.
      console.warn(
        `warning: the data directory predates the indexes ${provisioned.missingIndexes.join(', ')}; ` +
          'the routes that read them will fail. Move the data directory away (or set DATA_DIR) to start afresh.',
      );
    }
    const url = `http://${options.host}:${options.port}`;
    const adminToken = options.adminToken ?? DEFAULT_LOCAL_ADMIN_TOKEN;
    Object.assign(process.env, storesEnv(stores, provisioned), {
      CREDITLINK_STAGE: 'local',
      PUBLIC_BASE_URL: url,
      ADMIN_TOKEN: adminToken,
      ...keysEnv,
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
