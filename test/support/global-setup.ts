/** Starts one set of stand-ins for every integration test file (each uses its own table prefix). */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { LOCAL_AWS_ENV } from '../../lib/local/stores';

declare global {
  var __STORES_PROCESS__: import('node:child_process').ChildProcess | undefined;
}

export default async function globalSetup(): Promise<void> {
  // Inherited by the test workers: the SDK's notice about Node.js 20 is noise in test output.
  Object.assign(process.env, LOCAL_AWS_ENV);
  const root = resolve(__dirname, '..', '..');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', resolve(root, 'test/support/stores-process.ts')],
    {
      cwd: root,
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  globalThis.__STORES_PROCESS__ = child;
  const firstLine = await new Promise<string>((done, fail) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', done);
    child.once('exit', (code) => fail(new Error(`The test stores exited early (code ${code}).`)));
  });
  const { dynamoEndpoint, sqsEndpoint } = JSON.parse(firstLine) as {
    dynamoEndpoint: string;
    sqsEndpoint: string;
  };
  process.env.TEST_DYNAMO_ENDPOINT = dynamoEndpoint;
  process.env.TEST_SQS_ENDPOINT = sqsEndpoint;
}
