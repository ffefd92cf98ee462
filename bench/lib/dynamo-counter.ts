/**
 * Counts the DynamoDB calls this process sends, as the SDK finishes writing each HTTP request:
 * `ClientRequest.prototype.end` is wrapped for the duration of the count, and every request to the
 * DynamoDB Local endpoint (retries included) is counted by operation (the `X-Amz-Target` header)
 * and table (`TableName` in the JSON body the SDK passes to `end`). This sees every call of every
 * handler without touching handler or runtime code, whenever their SDK client was built. (Node.js
 * 20's `http.client.request.start` diagnostics channel fires only after the body is sent, so it
 * cannot tell the table.)
 */
import { ClientRequest } from 'node:http';

export interface CallCounter {
  /** Calls so far, keyed `Operation table` (e.g. `PutItem creditlink-clicks`). */
  snapshot(): Map<string, number>;
  stop(): void;
}

export function countDynamoCalls(endpoint: string): CallCounter {
  const host = new URL(endpoint).host;
  const counts = new Map<string, number>();
  const originalEnd = ClientRequest.prototype.end;
  // The SDK sends each request's whole JSON body with `end(body)`.
  ClientRequest.prototype.end = function (this: ClientRequest, ...args: unknown[]) {
    if (String(this.getHeader('host')) === host) {
      const operation = String(this.getHeader('x-amz-target') ?? 'unknown').replace(/^DynamoDB_\d+\./, '');
      const key = `${operation} ${tableOf(args[0])}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return Reflect.apply(originalEnd, this, args);
  } as ClientRequest['end'];
  return {
    snapshot: () => new Map(counts),
    stop: () => {
      ClientRequest.prototype.end = originalEnd;
    },
  };
}

/** The table a DynamoDB JSON request names (`TableName`), or '-' for calls without one. */
function tableOf(body: unknown): string {
  const text =
    typeof body === 'string' ? body : body instanceof Uint8Array ? Buffer.from(body).toString('utf8') : '';
  return /"TableName"\s*:\s*"([^"]+)"/.exec(text)?.[1] ?? '-';
}

/** Calls made between two snapshots, by `Operation table`. */
export function diff(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, n] of after) {
    const delta = n - (before.get(key) ?? 0);
    if (delta > 0) out.set(key, delta);
  }
  return out;
}

export const total = (counts: Map<string, number>) => [...counts.values()].reduce((a, b) => a + b, 0);
