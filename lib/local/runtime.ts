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
import { startWorkers } from './workers';

export interface RuntimeOptions {
  port: number;
  host: string;
  dataDir: string;
  adminToken?: string;
  /** Run the manifest's schedules on timers (default on; tests turn them off). */
  schedules?: boolean;
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
  const stores = await startLocalStores({ dataDir: join(dataDir, 'dynamodb') });
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
    const workers = await startWorkers(stores, provisioned, options.schedules ?? true);
    server = createApiServer();
    await listen(server, options.port, options.host).catch(async (err: unknown) => {
      await workers.stop();
      throw err;
    });
    const httpServer = server;
    return {
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
  } catch (err) {
    server?.close();
    await stores.stop();
    throw err;
  }
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
