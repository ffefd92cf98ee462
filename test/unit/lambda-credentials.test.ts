/**
 * The credential provider the Lambda bundles carry instead of the SDK's default chain
 * (lib/bundling/settings.ts): the environment's credentials, as Lambda sets them, and nothing else.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bundle } from '../../bench/bundles';
import { defaultProvider } from '../../lib/bundling/lambda-credentials';
import { BUNDLE_TARGET } from '../../lib/constructs/function-with-log-group';

jest.setTimeout(60_000);

const CREDENTIAL_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;

describe('the environment credential provider', () => {
  const saved = Object.fromEntries(CREDENTIAL_VARIABLES.map((name) => [name, process.env[name]]));
  afterEach(() => {
    for (const name of CREDENTIAL_VARIABLES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  test('answers with the credentials Lambda puts in the environment', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDROLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'role-secret';
    process.env.AWS_SESSION_TOKEN = 'role-session';
    const credentials = await defaultProvider()();
    expect(credentials).toMatchObject({
      accessKeyId: 'AKIDROLE',
      secretAccessKey: 'role-secret',
      sessionToken: 'role-session',
    });
  });

  test('fails as the SDK chain does without them, and answers once they are set', async () => {
    for (const name of CREDENTIAL_VARIABLES) delete process.env[name];
    const provider = defaultProvider();
    await expect(provider()).rejects.toMatchObject({ name: 'CredentialsProviderError' });
    process.env.AWS_ACCESS_KEY_ID = 'AKIDLATER';
    process.env.AWS_SECRET_ACCESS_KEY = 'later-secret';
    await expect(provider()).resolves.toMatchObject({ accessKeyId: 'AKIDLATER' });
  });
});

describe('a bundle built with the deployed settings', () => {
  let dir: string;
  let server: Server;
  const requests: Array<{ authorization?: string; token?: string }> = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'creditlink-credentials-'));
    // Stands in for DynamoDB only to see how the request was signed.
    server = createServer((req, res) => {
      requests.push({
        authorization: req.headers.authorization,
        token: req.headers['x-amz-security-token'] as string | undefined,
      });
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end('{}');
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  });
  afterAll(async () => {
    await new Promise((done) => server.close(done));
    rmSync(dir, { recursive: true, force: true });
  });

  test('carries none of the other credential providers and signs with the environment ones', async () => {
    // The floor's entry: a DynamoDB client and one PutItem, built as the functions are.
    const built = await bundle('credentials', BUNDLE_TARGET, join(dir, 'out'), 'bench/cold-start-floor.ts');
    const chain = Object.keys(built.metafile.inputs).filter((m) =>
      /credential-provider-(ini|sso|process|web-identity|http|node)|nested-clients/.test(m),
    );
    expect(chain).toEqual([]);
    mkdirSync(join(dir, 'out'), { recursive: true });
    const bundlePath = join(dir, 'out', 'index.js');
    writeFileSync(bundlePath, built.files.js);
    const { port } = server.address() as AddressInfo;
    // Asynchronously: this process serves the request the child makes.
    const run = await promisify(execFile)(
      process.execPath,
      ['-e', `require(${JSON.stringify(bundlePath)}).handler().then(() => process.stdout.write('sent'))`],
      {
        env: {
          PATH: process.env.PATH ?? '',
          AWS_REGION: 'us-east-1',
          AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${port}`,
          AWS_ACCESS_KEY_ID: 'AKIDBUNDLE',
          AWS_SECRET_ACCESS_KEY: 'bundle-secret',
          AWS_SESSION_TOKEN: 'bundle-session',
          TABLE_NAME: 'credentials',
        },
        timeout: 30_000,
      },
    );
    expect({ stdout: run.stdout, stderr: run.stderr }).toEqual({ stdout: 'sent', stderr: '' });
    expect(requests).toEqual([
      { authorization: expect.stringContaining('Credential=AKIDBUNDLE/'), token: 'bundle-session' },
    ]);
  });
});
