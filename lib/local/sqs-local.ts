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
  /** When each queue may have a message to receive (every client's sends go through this process). */
  activity: QueueActivity;
  stop(): Promise<void>;
}

/**
 * Tells a queue's pollers when a receive may find something: at once after a send, and when a
 * delayed message (DelaySeconds) or one made invisible (ChangeMessageVisibility) becomes visible.
 * Messages a consumer failed come back after the visibility timeout, which their poller knows.
 */
export interface QueueActivity {
  /** Calls `listener` with each such moment of the queue named `queueName`; returns its removal. */
  subscribe(queueName: string, listener: () => void): () => void;
  /** Calls the queue's listeners after `afterSeconds`, or at once. */
  notify(queueName: string, afterSeconds?: number): void;
}

type SqsBody = {
  QueueUrl?: string;
  DelaySeconds?: number;
  VisibilityTimeout?: number;
  Entries?: Array<{ DelaySeconds?: number; VisibilityTimeout?: number }>;
};

/** The seconds after which the messages an answered request touched are visible, per operation. */
const VISIBLE_AFTER: Record<string, (body: SqsBody) => number[]> = {
  'AmazonSQS.SendMessage': (body) => [body.DelaySeconds ?? 0],
  'AmazonSQS.SendMessageBatch': (body) => (body.Entries ?? []).map((e) => e.DelaySeconds ?? 0),
  'AmazonSQS.ChangeMessageVisibility': (body) => [body.VisibilityTimeout ?? 0],
  'AmazonSQS.ChangeMessageVisibilityBatch': (body) =>
    (body.Entries ?? []).map((e) => e.VisibilityTimeout ?? 0),
};

function queueActivity(): QueueActivity & { close(): void } {
  const listeners = new Map<string, Set<() => void>>();
  const timers = new Set<NodeJS.Timeout>();
  const fire = (queueName: string) => {
    for (const listener of listeners.get(queueName) ?? []) listener();
  };
  return {
    subscribe(queueName, listener) {
      let set = listeners.get(queueName);
      if (!set) {
        set = new Set();
        listeners.set(queueName, set);
      }
      set.add(listener);
      return () => set.delete(listener);
    },
    notify(queueName, afterSeconds = 0) {
      if (afterSeconds <= 0) {
        fire(queueName);
        return;
      }
      const timer = setTimeout(() => {
        timers.delete(timer);
        fire(queueName);
      }, afterSeconds * 1000);
      // A message due in 15 minutes must not keep a stopping process alive.
      timer.unref();
      timers.add(timer);
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      listeners.clear();
    },
  };
}

/** A queue URL's last path segment is the queue's name, whichever host the URL names. */
export const queueNameOf = (queueUrl: string) => queueUrl.slice(queueUrl.lastIndexOf('/') + 1);

export async function startSqsLocal(port = 0): Promise<SqsLocal> {
  // fauxqs is published as an ES module only.
  const { buildApp } = await import('fauxqs');
  // No `host`: queue URLs then name the address a request came to (127.0.0.1:<port>).
  const app = buildApp({ logger: false });
  const activity = queueActivity();
  // Fastify's hook, typed loosely by fauxqs: the request's parsed JSON body and the answer's status.
  app.addHook(
    'onResponse',
    (
      request: { headers: Record<string, string | string[] | undefined>; body?: unknown },
      reply: { statusCode: number },
      done: () => void,
    ) => {
      const target = request.headers['x-amz-target'];
      const visibleAfter = typeof target === 'string' ? VISIBLE_AFTER[target] : undefined;
      const body = request.body as SqsBody | undefined;
      if (visibleAfter && reply.statusCode === 200 && typeof body?.QueueUrl === 'string') {
        const queueName = queueNameOf(body.QueueUrl);
        for (const seconds of new Set(visibleAfter(body))) activity.notify(queueName, seconds);
      }
      done();
    },
  );
  await app.listen({ port, host: '127.0.0.1' });
  const stop = async () => {
    activity.close();
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
  return { endpoint: `http://127.0.0.1:${actualPort}`, activity, stop };
}
