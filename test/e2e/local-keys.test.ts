/**
 * End to end: the keys and the data directory of `npm start`. A fresh DATA_DIR is private (0700)
 * with one random key file per key; a DATA_DIR from before the keys were split (a `master-key`)
 * gets key files derived from it, so the webhook secrets sealed under the old master key still
 * verify; a key file that group or others can read stops the start in one line; a custom admin
 * token is never printed.
 */
import { spawnSync } from 'node:child_process';
import { hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { seal } from '../../functions/common/crypto/secret-box';
import { createMerchant, postWebhook } from '../support/e2e-fixtures';
import { AdminClient, HttpClient } from '../support/e2e-http';
import {
  dynamoProcessesOf,
  type E2eRuntime,
  newDataDir,
  removeDataDir,
  startRuntime,
} from '../support/e2e-runtime';

const dirs: string[] = [];
const started: E2eRuntime[] = [];
afterAll(async () => {
  await Promise.all(started.map((runtime) => runtime.stop('SIGKILL')));
  for (const dir of dirs) removeDataDir(dir);
}, 30_000);

function dataDir(): string {
  const dir = newDataDir();
  dirs.push(dir);
  return dir;
}

async function start(dir: string, adminToken: string): Promise<E2eRuntime> {
  const runtime = await startRuntime({ dataDir: dir, adminToken });
  started.push(runtime);
  return runtime;
}

const mode = (file: string) => statSync(file).mode & 0o777;

/** How the keys were derived from the single master key before they had files of their own. */
const legacyKey = (master: string, info: string) =>
  Buffer.from(hkdfSync('sha256', Buffer.from(master, 'utf8'), Buffer.alloc(0), info, 32));

const cancelled = (orderId: string) => ({
  type: 'order.cancelled',
  orderId,
  occurredAt: new Date().toISOString(),
});

test('a fresh DATA_DIR is created 0700 with a random key file per key (0600), and a custom token is not printed', async () => {
  const dir = join(dataDir(), 'nested', 'data');
  const token = `custom-${randomBytes(8).toString('hex')}`;
  const runtime = await start(dir, token);

  expect(mode(dir)).toBe(0o700);
  const ipHashKey = readFileSync(join(dir, 'ip-hash-key'), 'utf8');
  const sealKey = readFileSync(join(dir, 'webhook-seal-key'), 'utf8');
  for (const key of [ipHashKey, sealKey]) expect(key).toMatch(/^[0-9a-f]{64}$/);
  expect(ipHashKey).not.toBe(sealKey);
  for (const file of ['ip-hash-key', 'webhook-seal-key']) expect(mode(join(dir, file))).toBe(0o600);
  expect(existsSync(join(dir, 'master-key'))).toBe(false);

  expect(runtime.output()).toMatch(/admin token: +set from ADMIN_TOKEN\n/);
  expect(runtime.output()).not.toContain(token);
  // The token works all the same.
  const admin = new AdminClient(runtime.baseUrl, token);
  expect((await admin.get('/admin/merchants/nobody-here')).status).toBe(404);
  await runtime.stop();
});

test('a DATA_DIR with the old master-key keeps verifying the webhooks of secrets sealed under it', async () => {
  const dir = dataDir();
  const master = randomBytes(32).toString('base64url');
  writeFileSync(join(dir, 'master-key'), master, { mode: 0o600 });
  const token = 'e2e-legacy-token';
  const runtime = await start(dir, token);

  const oldSealKey = legacyKey(master, 'creditlink/webhook-secrets/v1');
  expect(readFileSync(join(dir, 'webhook-seal-key'), 'utf8')).toBe(oldSealKey.toString('hex'));
  expect(readFileSync(join(dir, 'ip-hash-key'), 'utf8')).toBe(
    legacyKey(master, 'creditlink/ip-hash/v1').toString('hex'),
  );

  // A merchant whose secret was sealed the old way, as an existing DATA_DIR holds it.
  const admin = new AdminClient(runtime.baseUrl, token);
  const merchant = await createMerchant(admin, { merchantId: 'mer-legacy' });
  const plain = `whsec_${randomBytes(24).toString('base64')}`;
  const secretId = 'legacy0001';
  const sealed = seal(oldSealKey, plain, `merchant:mer-legacy:secret:${secretId}`);
  await writeSecrets(runtime, merchant.merchantId as string, [
    { secretId, sealed, createdAt: '2026-01-01T00:00:00.000Z' },
  ]);

  const shop = new HttpClient(runtime.baseUrl);
  const accepted = await postWebhook(shop, 'mer-legacy', plain, cancelled('L-1'));
  expect(accepted.status).toBe(202);
  const refused = await postWebhook(shop, 'mer-legacy', merchant.webhookSecret, cancelled('L-2'));
  expect(refused.status).toBe(401);
  await runtime.stop();
});

test('a key file readable by group or others stops the start with one clear line', () => {
  const dir = dataDir();
  writeFileSync(join(dir, 'webhook-seal-key'), randomBytes(32).toString('hex'), { mode: 0o600 });
  writeFileSync(join(dir, 'ip-hash-key'), randomBytes(32).toString('hex'), { mode: 0o644 });
  // writeFileSync's mode is masked by the umask; set it exactly.
  chmodSync(join(dir, 'ip-hash-key'), 0o644);
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dir, PORT: '0' };
  for (const name of Object.keys(env)) if (name.startsWith('AWS_ENDPOINT_URL')) delete env[name];
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'bin/local.ts'], {
    cwd: resolve(__dirname, '..', '..'),
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(run.status).toBe(1);
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(
    /^Refusing to start: .*ip-hash-key is accessible by group or others \(mode 0644\)/,
  );
  expect(run.stdout).not.toContain('creditlink is running');
  expect(dynamoProcessesOf(dir)).toEqual([]);
});

/** Replaces a merchant's stored secrets, straight in the DynamoDB Local that `npm start` runs. */
async function writeSecrets(runtime: E2eRuntime, merchantId: string, secrets: unknown[]) {
  const endpoint = runtime.dynamoEndpoint();
  if (!endpoint) throw new Error(`no DynamoDB Local endpoint printed:\n${runtime.output()}`);
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const tables = (await client.send(new ListTablesCommand({}))).TableNames ?? [];
    const config = tables.filter((t) => t.toLowerCase().includes('config'));
    expect(config).toHaveLength(1);
    await DynamoDBDocumentClient.from(client).send(
      new UpdateCommand({
        TableName: config[0],
        Key: { pk: `MERCHANT#${merchantId}`, sk: 'MERCHANT' },
        UpdateExpression: 'SET webhookSecrets = :s',
        ExpressionAttributeValues: { ':s': secrets },
      }),
    );
  } finally {
    client.destroy();
  }
}
