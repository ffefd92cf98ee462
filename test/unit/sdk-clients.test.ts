/**
 * The lazily imported S3 and Secrets Manager clients (functions/common/clients/aws.ts), through the
 * few SDK parts they name, against a local HTTP endpoint that answers as the services do.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { secretsManager } from '../../functions/common/clients/aws';
import { statementStoreFromEnv } from '../../functions/common/statements/store';

interface Seen {
  method?: string;
  url?: string;
  target?: string;
  body: string;
}

const objects = new Map<string, string>();
const seen: Seen[] = [];
let server: Server;
const saved = { ...process.env };

function answer(req: IncomingMessage, body: string): { status: number; type: string; body: string } {
  const target = req.headers['x-amz-target'];
  if (target === 'secretsmanager.GetSecretValue') {
    const { SecretId } = JSON.parse(body) as { SecretId: string };
    return {
      status: 200,
      type: 'application/x-amz-json-1.1',
      body: JSON.stringify({ SecretString: `value of ${SecretId}` }),
    };
  }
  const key = (req.url ?? '').split('?')[0] ?? '';
  if (req.method === 'PUT') {
    objects.set(key, body);
    return { status: 200, type: 'application/xml', body: '' };
  }
  const stored = objects.get(key);
  if (stored !== undefined) return { status: 200, type: 'text/csv', body: stored };
  return {
    status: 404,
    type: 'application/xml',
    body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>',
  };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({
        method: req.method,
        url: req.url,
        target: req.headers['x-amz-target'] as string | undefined,
        body,
      });
      const out = answer(req, body);
      res.writeHead(out.status, { 'content-type': out.type });
      res.end(out.body);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDTEST',
    AWS_SECRET_ACCESS_KEY: 'test-secret',
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
    STATEMENTS_BUCKET: 'statements',
  });
});

afterAll(async () => {
  process.env = saved;
  await new Promise((done) => server.close(done));
});

test('the statement store writes and reads S3 objects, and a missing one is undefined', async () => {
  const store = statementStoreFromEnv();
  await store.put('statements/2026-11/inf_1.csv', 'a,b\r\n1,2\r\n');
  await expect(store.get('statements/2026-11/inf_1.csv')).resolves.toBe('a,b\r\n1,2\r\n');
  await expect(store.get('statements/2026-11/inf_2.csv')).resolves.toBeUndefined();
  expect(seen.filter((s) => !s.target).map((s) => `${s.method} ${s.url}`)).toEqual([
    expect.stringMatching(/^PUT \/statements\/statements\/2026-11\/inf_1\.csv/),
    expect.stringMatching(/^GET \/statements\/statements\/2026-11\/inf_1\.csv/),
    expect.stringMatching(/^GET \/statements\/statements\/2026-11\/inf_2\.csv/),
  ]);
});

test('the Secrets Manager client reads a secret', async () => {
  const { sdk, client } = await secretsManager();
  const out = await client.send(new sdk.GetSecretValueCommand({ SecretId: 'admin-token' }));
  expect(out.SecretString).toBe('value of admin-token');
});
