/**
 * Child process that runs the stand-ins (in-memory DynamoDB Local + the SQS emulator) for a test
 * run. Jest's global setup starts it and reads the endpoints from its first line of output; closing
 * its stdin (or its parent dying) stops it and Java with it.
 */
import { LOCAL_AWS_ENV, startLocalStores } from '../../lib/local/stores';

Object.assign(process.env, LOCAL_AWS_ENV);

async function main() {
  const stores = await startLocalStores({});
  process.stdout.write(
    `${JSON.stringify({ dynamoEndpoint: stores.dynamoEndpoint, sqsEndpoint: stores.sqsEndpoint })}\n`,
  );
  const stop = () => {
    stores.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
