/**
 * The rules for an event endpoint's URL (CONTRACT §12), before any name is resolved: `https` to a
 * name or a public literal address, without credentials in it. Locally (CONTRACT §2) a subscriber
 * on this machine may also be reached at `http://127.0.0.1:<port>/…` or `http://localhost:<port>/…`.
 *
 * The text is judged only after the WHATWG URL parser has normalised it, the same parser that the
 * sender uses: `http://2130706433`, `0x7f.1` or `0177.0.0.1` are all `127.0.0.1` to it, and a
 * bracketed IPv6 host is an address, so no odd spelling is classified differently from what would
 * be contacted.
 */
import { isPublicAddress, parseIPv4, parseIPv6 } from './ip-ranges';

export const MAX_ENDPOINT_URL_LENGTH = 2048;

/** The hosts a local subscriber may use, and only with `allowLocal`. */
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost']);

/** Names that never lead to the public internet, whatever a resolver answers for them. */
const LOCAL_NAME_SUFFIXES = ['.localhost', '.local', '.internal', '.home.arpa', '.localdomain'];

export type EndpointUrlCheck = { ok: true; url: URL } | { ok: false; message: string };

/** The host of a parsed URL as a bare address (IPv6 without brackets), or undefined for a name. */
export function literalAddress(url: URL): string | undefined {
  const host = url.hostname;
  if (host.startsWith('[') && host.endsWith(']')) return host.slice(1, -1);
  return parseIPv4(host) !== undefined ? host : undefined;
}

/** True for the two local hosts that `allowLocal` lets through. */
export const isLocalSubscriberHost = (url: URL) => LOCAL_HOSTS.has(url.hostname);

export function checkEndpointUrl(raw: string, opts: { allowLocal: boolean }): EndpointUrlCheck {
  if (raw.length > MAX_ENDPOINT_URL_LENGTH) {
    return { ok: false, message: `Must be at most ${MAX_ENDPOINT_URL_LENGTH} characters.` };
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, message: 'Must be a valid absolute URL.' };
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, message: 'Must not carry a user name or password.' };
  }
  const local = opts.allowLocal && isLocalSubscriberHost(url);
  if (url.protocol !== 'https:' && !(local && url.protocol === 'http:')) {
    return {
      ok: false,
      message: opts.allowLocal
        ? 'Must be https (or http to 127.0.0.1 or localhost on this machine).'
        : 'Must be https.',
    };
  }
  if (local) return { ok: true, url };

  const address = literalAddress(url);
  if (address !== undefined) {
    if (parseIPv4(address) === undefined && parseIPv6(address) === undefined) {
      return { ok: false, message: 'The host is not a valid address.' };
    }
    return isPublicAddress(address)
      ? { ok: true, url }
      : { ok: false, message: `The address ${address} is not public.` };
  }
  // Trailing dots name the same host to a resolver: `localhost.` and `localhost..` are `localhost`.
  const name = url.hostname.replace(/\.+$/, '');
  if (!name.includes('.')) {
    return { ok: false, message: `The host "${name}" is not a public name (it has no domain).` };
  }
  if (LOCAL_NAME_SUFFIXES.some((suffix) => name.endsWith(suffix))) {
    return { ok: false, message: `The host "${name}" is a local name, not a public one.` };
  }
  // The URL parser refuses a host ending in a number that is not an address; this keeps the rule
  // whatever the parser: no real top-level domain is numeric.
  if (/^[0-9]+$/.test(name.slice(name.lastIndexOf('.') + 1))) {
    return { ok: false, message: `The host "${name}" is neither a valid address nor a name.` };
  }
  return { ok: true, url };
}
