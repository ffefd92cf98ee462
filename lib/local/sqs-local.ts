/**
 * The SQS stand-in: fauxqs, an emulator of the SQS JSON protocol with visibility timeouts, long
 * polling and dead-letter redrive, run inside this process. It keeps messages in memory, which is
 * why accepted webhooks are also kept durably in DynamoDB (the outbox) and re-driven at start-up.
 */
export interface SqsLocal {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startSqsLocal(port = 0): Promise<SqsLocal> {
  // fauxqs is published as an ES module only.
  const { startFauxqs } = await import('fauxqs');
  // No `host`: queue URLs then name the emulator's own address, which the SDK may use as endpoint.
  const server = await startFauxqs({ port, logger: false });
  return { endpoint: `http://127.0.0.1:${server.port}`, stop: () => server.stop() };
}
