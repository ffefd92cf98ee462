/**
 * The one way creditlink POSTs to a subscriber's endpoint (CONTRACT §12), safe against server-side
 * request forgery:
 * - the URL is checked again (the rules may be stricter than when it was stored);
 * - its name is resolved once, and the request is refused unless every address is public (a name
 *   with one private address among public ones could be steered to it);
 * - the connection goes to the addresses that were checked, through a `lookup` that answers only
 *   those: a second resolution (DNS rebinding) never happens, while SNI and `Host` keep the name;
 * - no redirect is followed, and the whole exchange — resolution, connection, headers and the first
 *   few KB of the body, which is read and discarded — is bounded by one deadline.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { checkEndpointUrl, isLocalSubscriberHost, literalAddress } from '../domain/endpoint-url';
import { isLoopbackAddress, isPublicAddress } from '../domain/ip-ranges';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has (injectable, so tests can point a name anywhere). */
export type LookupFn = (hostname: string) => Promise<ResolvedAddress[]>;

export interface SafePostRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** The local runtime (CONTRACT §2): `http://127.0.0.1:<port>` and `http://localhost:<port>` too. */
  allowLocal: boolean;
  lookup?: LookupFn;
}

export type SafePostError = 'refused_address' | 'timeout' | 'network' | 'http_status' | 'invalid_url';

export type SafePostResult =
  | { outcome: 'delivered'; statusCode: number }
  | { outcome: 'failed'; statusCode?: number; error: SafePostError; detail: string };

/** How much of a response body is read before the connection is dropped; it is never kept. */
export const MAX_RESPONSE_BYTES = 4096;

const systemLookup: LookupFn = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

const failed = (error: SafePostError, detail: string, statusCode?: number): SafePostResult => ({
  outcome: 'failed',
  error,
  detail,
  ...(statusCode === undefined ? {} : { statusCode }),
});

class Deadline extends Error {}

/** Runs `work` until the deadline; after it, `Deadline` is thrown and `onExpire` has stopped the work. */
function withDeadline<T>(ms: number, work: Promise<T>, onExpire: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onExpire();
      reject(new Deadline());
    }, ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/** The addresses to connect to, once every one of them has passed. */
async function checkedAddresses(
  url: URL,
  allowLocal: boolean,
  lookup: LookupFn,
): Promise<{ ok: true; addresses: ResolvedAddress[] } | { ok: false; result: SafePostResult }> {
  const local = allowLocal && isLocalSubscriberHost(url);
  const allowed = (address: string) => isPublicAddress(address) || (local && isLoopbackAddress(address));
  const literal = literalAddress(url);
  if (literal !== undefined) {
    if (!allowed(literal)) {
      return { ok: false, result: failed('refused_address', `The address ${literal} is not public.`) };
    }
    return { ok: true, addresses: [{ address: literal, family: literal.includes(':') ? 6 : 4 }] };
  }
  let addresses: ResolvedAddress[];
  try {
    addresses = await lookup(url.hostname);
  } catch (err) {
    return { ok: false, result: failed('network', `Could not resolve ${url.hostname}: ${messageOf(err)}`) };
  }
  if (addresses.length === 0) {
    return { ok: false, result: failed('network', `${url.hostname} has no address.`) };
  }
  const refused = addresses.filter((a) => !allowed(a.address));
  if (refused.length > 0) {
    const list = refused.map((a) => a.address).join(', ');
    return {
      ok: false,
      result: failed(
        'refused_address',
        `${url.hostname} resolves to an address that is not public: ${list}.`,
      ),
    };
  }
  return { ok: true, addresses };
}

/** A `lookup` for node's request that answers only the addresses already checked. */
function pinnedLookup(addresses: ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const family = typeof options === 'object' ? options.family : undefined;
    const usable = addresses.filter((a) => !family || a.family === family);
    if (usable.length === 0) {
      callback(Object.assign(new Error('No checked address of this family.'), { code: 'ENOTFOUND' }), '', 4);
      return;
    }
    if (typeof options === 'object' && options.all) {
      (callback as unknown as (err: null, all: ResolvedAddress[]) => void)(null, usable);
      return;
    }
    const [first] = usable as [ResolvedAddress];
    callback(null, first.address, first.family);
  };
}

const messageOf = (err: unknown) =>
  err instanceof Error ? ((err as NodeJS.ErrnoException).code ?? err.message) : String(err);

export async function safePost(req: SafePostRequest): Promise<SafePostResult> {
  const check = checkEndpointUrl(req.url, { allowLocal: req.allowLocal });
  if (!check.ok) return failed('invalid_url', check.message);
  const url = check.url;
  const controller = new AbortController();
  let statusCode: number | undefined;

  const exchange = async (): Promise<SafePostResult> => {
    const target = await checkedAddresses(url, req.allowLocal, req.lookup ?? systemLookup);
    if (!target.ok) return target.result;
    if (controller.signal.aborted) throw new Deadline();
    const body = Buffer.from(req.body, 'utf8');
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise<SafePostResult>((resolve, reject) => {
      const request = transport.request(
        url,
        {
          method: 'POST',
          headers: {
            'user-agent': 'creditlink-events/1',
            ...req.headers,
            'content-type': req.headers['content-type'] ?? 'application/json',
            'content-length': String(body.length),
          },
          lookup: pinnedLookup(target.addresses),
          // A socket of its own: a pooled one could have been opened to another address.
          agent: false,
          signal: controller.signal,
        },
        (response) => {
          statusCode = response.statusCode ?? 0;
          let read = 0;
          const settle = () => {
            response.destroy();
            resolve(answerFor(statusCode ?? 0));
          };
          response.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read >= MAX_RESPONSE_BYTES) settle();
          });
          response.on('end', settle);
          response.on('error', settle);
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  };

  try {
    return await withDeadline(req.timeoutMs, exchange(), () => controller.abort());
  } catch (err) {
    if (err instanceof Deadline || controller.signal.aborted) {
      // The subscriber answered in time and only its body was slow: the status stands.
      if (statusCode !== undefined) return answerFor(statusCode);
      return failed('timeout', `No answer within ${req.timeoutMs} ms.`);
    }
    return failed('network', `Could not reach ${url.host}: ${messageOf(err)}`);
  }
}

function answerFor(statusCode: number): SafePostResult {
  if (statusCode >= 200 && statusCode < 300) return { outcome: 'delivered', statusCode };
  const redirect = statusCode >= 300 && statusCode < 400;
  return failed(
    'http_status',
    redirect ? `Answered ${statusCode}; redirects are not followed.` : `Answered ${statusCode}.`,
    statusCode,
  );
}
