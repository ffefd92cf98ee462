/**
 * The SQS stand-in: fauxqs, an emulator of the SQS JSON protocol with visibility timeouts, long
 * polling and dead-letter redrive, run inside this process. It keeps messages in memory, which is
 * why accepted webhooks are also kept durably in DynamoDB (the outbox) and re-driven at start-up.
 *
 * Its `startFauxqs` always listens on 0.0.0.0, where anyone on the network could queue an unsigned
 * order; so the emulator's app is built here and listens on 127.0.0.1 only.
 */
import { assertListensOnLoopback } from './ports';

export interface SqsLocal {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startSqsLocal(port = 0): Promise<SqsLocal> {
  // fauxqs is published as an ES module only.
  const { buildApp } = await import('fauxqs');
  // No `host`: queue URLs then name the address a request came to (127.0.0.1:<port>).
  const app = buildApp({ logger: false });
  await app.listen({ port, host: '127.0.0.1' });
  const stop = async () => {
    await app.close();
  };
  try {
    assertListensOnLoopback(app.server, 'The SQS emulator');
  } catch (err) {
    await stop();
    throw err;
  }
  const address = app.server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return { endpoint: `http://127.0.0.1:${actualPort}`, stop };
}
