/**
 * Which IP addresses creditlink may send events to (CONTRACT §12): only globally reachable unicast.
 * Everything else — loopback, private, link-local (the cloud metadata service at 169.254.169.254),
 * CGNAT, multicast, broadcast, reserved, documentation and benchmark ranges — could reach the
 * service's own network instead of a subscriber, so it is refused. IPv6 forms that carry an IPv4
 * address (IPv4-mapped, NAT64, 6to4) are judged by the IPv4 address they carry.
 *
 * Written out rather than taken from a library: the ranges are few, fixed by IANA's special-purpose
 * registries, and each is tested.
 */
import { isIPv4, isIPv6 } from 'node:net';

type Cidr4 = readonly [base: string, prefix: number];

/** IANA IPv4 special-purpose ranges that are not globally reachable unicast. */
const NOT_PUBLIC_V4: readonly Cidr4[] = [
  ['0.0.0.0', 8], // "this network", including the unspecified address
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, including the metadata service 169.254.169.254
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation (TEST-NET-1)
  ['192.31.196.0', 24], // AS112
  ['192.52.193.0', 24], // AMT
  ['192.88.99.0', 24], // deprecated 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['192.175.48.0', 24], // direct-delegation AS112
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation (TEST-NET-2)
  ['203.0.113.0', 24], // documentation (TEST-NET-3)
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, including the broadcast address 255.255.255.255
];

/** A dotted-quad IPv4 address as a 32-bit unsigned number, or undefined if it is not one. */
export function parseIPv4(text: string): number | undefined {
  if (!isIPv4(text)) return undefined;
  return text.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

const inCidr4 = (address: number, [base, prefix]: Cidr4) => {
  const size = 2 ** (32 - prefix);
  const start = parseIPv4(base) ?? 0;
  return address >= start && address < start + size;
};

function isPublicV4(address: number): boolean {
  return !NOT_PUBLIC_V4.some((cidr) => inCidr4(address, cidr));
}

/** An IPv6 address as its 8 16-bit groups, or undefined if it is not one (a zone id is not). */
export function parseIPv6(text: string): number[] | undefined {
  if (!isIPv6(text) || text.includes('%')) return undefined;
  // An embedded IPv4 tail (`::ffff:127.0.0.1`) is written out as the two groups it stands for.
  const lastColon = text.lastIndexOf(':');
  const v4 = parseIPv4(text.slice(lastColon + 1));
  const hex =
    v4 === undefined
      ? text
      : `${text.slice(0, lastColon + 1)}${Math.floor(v4 / 65536).toString(16)}:${(v4 % 65536).toString(16)}`;
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16)));
  const [head = '', tail] = hex.split('::');
  const left = groups(head);
  if (tail === undefined) return left.length === 8 ? left : undefined;
  const right = groups(tail);
  const all = [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  return all.length === 8 ? all : undefined;
}

const v4From = (hi: number, lo: number) => hi * 65536 + lo;

function isPublicV6(g: number[]): boolean {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  // ::ffff:a.b.c.d (IPv4-mapped) and 64:ff9b::a.b.c.d (NAT64): the IPv4 address decides.
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff) {
    return isPublicV4(v4From(g6, g7));
  }
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    return isPublicV4(v4From(g6, g7));
  }
  // 6to4 (2002:AABB:CCDD::/48) carries a.b.c.d in its second and third groups.
  if (g0 === 0x2002) return isPublicV4(v4From(g1, g2));
  // Only global unicast (2000::/3) is public: this leaves out ::, ::1, the deprecated
  // IPv4-compatible ::a.b.c.d, 100::/64 (discard), fc00::/7 (unique local), fe80::/10
  // (link-local), fec0::/10 (site-local) and ff00::/8 (multicast).
  if (g0 < 0x2000 || g0 > 0x3fff) return false;
  // 2001::/23: IETF protocol assignments (Teredo, benchmarking 2001:2::/48, ORCHID).
  if (g0 === 0x2001 && g1 < 0x200) return false;
  // 2001:db8::/32 and 3fff::/20: documentation.
  if (g0 === 0x2001 && g1 === 0xdb8) return false;
  if (g0 === 0x3fff && g1 < 0x1000) return false;
  return true;
}

/**
 * True only for a globally reachable unicast address, given in the form a resolver or the WHATWG
 * URL parser produces (dotted-quad IPv4, IPv6 without brackets). Anything that is not an address
 * at all is false: a caller must never treat "could not tell" as public.
 */
export function isPublicAddress(ip: string): boolean {
  const v4 = parseIPv4(ip);
  if (v4 !== undefined) return isPublicV4(v4);
  const v6 = parseIPv6(ip);
  if (v6 !== undefined) return isPublicV6(v6);
  return false;
}

/** True for a loopback address (127/8, ::1, and ::ffff:127.x.y.z). */
export function isLoopbackAddress(ip: string): boolean {
  const v4 = parseIPv4(ip);
  if (v4 !== undefined) return inCidr4(v4, ['127.0.0.0', 8]);
  const g = parseIPv6(ip);
  if (g === undefined) return false;
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return true;
  const mapped = g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff;
  return mapped && inCidr4(v4From(g[6] ?? 0, g[7] ?? 0), ['127.0.0.0', 8]);
}
