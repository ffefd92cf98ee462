/**
 * Event endpoint addresses (CONTRACT §12): which IP addresses are public, and which URLs an
 * endpoint may have, judged after WHATWG normalisation so that no odd spelling of a private
 * address slips through; and which events an endpoint receives.
 */
import fc from 'fast-check';
import { endpointReceives } from '../../functions/common/domain/endpoint-scope';
import { checkEndpointUrl } from '../../functions/common/domain/endpoint-url';
import { isLoopbackAddress, isPublicAddress } from '../../functions/common/domain/ip-ranges';

describe('isPublicAddress', () => {
  test.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'IPv6 loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['fc00::1', 'unique local'],
    ['fd12:3456::1', 'unique local'],
    ['169.254.169.254', 'the metadata service (link-local)'],
    ['169.254.0.1', 'link-local'],
    ['fe80::1', 'IPv6 link-local'],
    ['fec0::1', 'site-local'],
    ['100.64.0.1', 'CGNAT'],
    ['100.127.255.255', 'CGNAT'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'IPv6 multicast'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', '"this network"'],
    ['::', 'IPv6 unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.0.8', 'IETF protocol assignments'],
    ['192.0.2.1', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['2001:db8::1', 'IPv6 documentation'],
    ['2001:2::1', 'IPv6 benchmarking'],
    ['2001::1', 'Teredo'],
    ['100::1', 'discard-only'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback in hex'],
    ['::ffff:169.254.169.254', 'IPv4-mapped metadata address'],
    ['::ffff:10.1.2.3', 'IPv4-mapped private'],
    ['::127.0.0.1', 'IPv4-compatible (deprecated)'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 of the metadata address'],
    ['64:ff9b::10.0.0.1', 'NAT64 of a private address'],
    ['64:ff9b:1::8.8.8.8', 'local-use NAT64'],
    ['2002:7f00:1::', '6to4 of loopback'],
    ['2002:a9fe:a9fe::1', '6to4 of the metadata address'],
    ['fe80::1%eth0', 'an address with a zone'],
    ['not-an-address', 'not an address at all'],
    ['', 'empty'],
    ['1.2.3', 'a short IPv4 form (only dotted quads are addresses here)'],
  ])('%s is not public (%s)', (ip) => {
    expect(isPublicAddress(ip)).toBe(false);
  });

  test.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.215.14',
    '172.15.255.255',
    '172.32.0.1',
    '100.63.255.255',
    '100.128.0.1',
    '169.253.255.255',
    '192.169.0.1',
    '223.255.255.255',
    '2606:4700:4700::1111',
    '2a00:1450:4001:80b::200e',
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
    '2002:808:808::1',
  ])('%s is public', (ip) => {
    expect(isPublicAddress(ip)).toBe(true);
  });

  it('knows loopback in every form a resolver gives', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'].every(isLoopbackAddress)).toBe(true);
    expect(['10.0.0.1', '::2', '8.8.8.8', 'localhost'].some(isLoopbackAddress)).toBe(false);
  });
});

describe('checkEndpointUrl', () => {
  const remote = { allowLocal: false };
  const local = { allowLocal: true };
  const refused = (raw: string, opts = remote) => {
    const result = checkEndpointUrl(raw, opts);
    return result.ok ? `accepted as ${result.url.href}` : 'refused';
  };

  test.each([
    'https://hooks.example.com/creditlink',
    'https://hooks.example.com:8443/x?y=1',
    'https://hooks.example.com:443/',
    'https://8.8.8.8/events',
    'https://[2606:4700:4700::1111]/events',
    'https://xn--bcher-kva.example/events',
  ])('accepts %s', (raw) => {
    expect(checkEndpointUrl(raw, remote).ok).toBe(true);
  });

  test.each([
    ['http://hooks.example.com/', 'plain http'],
    ['ftp://hooks.example.com/', 'another scheme'],
    ['https://user:pass@hooks.example.com/', 'userinfo'],
    ['https://user@hooks.example.com/', 'a user name'],
    ['hooks.example.com/path', 'not absolute'],
    ['https://', 'no host'],
    ['https://127.0.0.1/', 'loopback'],
    ['https://2130706433/', 'loopback as a decimal number'],
    ['https://0x7f.1/', 'loopback in hex, short form'],
    ['https://0x7f000001/', 'loopback as one hex number'],
    ['https://0177.0.0.1/', 'loopback in octal'],
    ['https://127.1/', 'loopback, short form'],
    ['https://127.0.0.1./', 'loopback with a trailing dot'],
    ['https://%31%32%37.0.0.1/', 'loopback percent-encoded'],
    ['https://[::1]/', 'bracketed IPv6 loopback'],
    ['https://[::ffff:127.0.0.1]/', 'bracketed IPv4-mapped loopback'],
    ['https://[::ffff:a9fe:a9fe]/', 'bracketed IPv4-mapped metadata address'],
    ['https://[fe80::1%25eth0]/', 'a zoned IPv6 address'],
    ['https://169.254.169.254/latest/meta-data/', 'the metadata service'],
    ['https://2852039166/', 'the metadata service as a decimal number'],
    ['https://10.0.0.1/', 'private'],
    ['https://0/', 'the unspecified address'],
    ['https://localhost/', 'localhost'],
    ['https://localhost./', 'localhost with a trailing dot'],
    ['https://localhost../', 'localhost with two trailing dots'],
    ['https://metadata.google.internal../', 'an internal name with two trailing dots'],
    ['https://LOCALHOST:8443/', 'localhost in capitals'],
    ['https://api.localhost/', 'a .localhost name'],
    ['https://printer.local/', 'an mDNS name'],
    ['https://metadata.google.internal/', 'an .internal name'],
    ['https://intranet/', 'a single-label name'],
    ['https://1.2.3.256/', 'an address out of range'],
    [`https://example.com/${'a'.repeat(2048)}`, 'too long'],
  ])('refuses %s (%s)', (raw) => {
    expect(refused(raw)).toBe('refused');
  });

  it('allows local subscribers over http to 127.0.0.1 and localhost only when local', () => {
    for (const raw of ['http://127.0.0.1:4000/hook', 'http://localhost:4000/hook', 'http://localhost/hook']) {
      expect(checkEndpointUrl(raw, local).ok).toBe(true);
      expect(refused(raw)).toBe('refused');
    }
    expect(checkEndpointUrl('https://hooks.example.com/', local).ok).toBe(true);
    // Another spelling of 127.0.0.1 is 127.0.0.1, and is kept in its normal form.
    const decimal = checkEndpointUrl('http://2130706433:4000/hook', local);
    expect(decimal.ok && decimal.url.href).toBe('http://127.0.0.1:4000/hook');
  });

  test.each([
    'http://10.0.0.1:4000/',
    'http://169.254.169.254/',
    'http://127.0.0.2:4000/',
    'http://[::1]:4000/',
    'http://api.localhost:4000/',
    'http://hooks.example.com/',
    'http://user:pw@localhost:4000/',
    'https://10.0.0.1/',
  ])('refuses %s even when local', (raw) => {
    expect(refused(raw, local)).toBe('refused');
  });

  it('refuses every private IPv4 address in every numeric spelling', () => {
    const privateAddress = fc.oneof(
      fc.integer({ min: 0x0a000000, max: 0x0affffff }),
      fc.integer({ min: 0x7f000000, max: 0x7fffffff }),
      fc.integer({ min: 0xa9fe0000, max: 0xa9feffff }),
      fc.integer({ min: 0xc0a80000, max: 0xc0a8ffff }),
    );
    const spell = (n: number) => [
      String(n),
      `0x${n.toString(16)}`,
      [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].map((b) => `0${b.toString(8)}`).join('.'),
      `${n >>> 24}.${n & 0xffffff}`,
      `[::ffff:${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}]`,
    ];
    fc.assert(
      fc.property(privateAddress, (n) => {
        for (const host of spell(n)) expect(refused(`https://${host}/`)).toBe('refused');
      }),
    );
  });
});

describe('endpointReceives', () => {
  const order = { type: 'order.credited', merchantId: 'glow', influencerIds: ['anna', 'ben'] };
  const unattributed = { type: 'order.unattributed', merchantId: 'glow', influencerIds: [] };
  const payout = { type: 'payout.created', influencerIds: ['anna'] };
  const all = ['order.credited', 'order.unattributed', 'payout.created', 'payout.settled'];

  test.each([
    ['everything', { events: all }, [true, true, true]],
    ['only the types it names', { events: ['payout.created'] }, [false, false, true]],
    ["a merchant's: its orders, never a payout", { events: all, merchantId: 'glow' }, [true, true, false]],
    ["another merchant's: nothing", { events: all, merchantId: 'dusk' }, [false, false, false]],
    [
      "an influencer's: orders crediting it and its payouts",
      { events: all, influencerId: 'anna' },
      [true, false, true],
    ],
    [
      'a pair: orders of the merchant crediting the influencer',
      { events: all, merchantId: 'glow', influencerId: 'ben' },
      [true, false, false],
    ],
    [
      'a pair that no event has',
      { events: all, merchantId: 'glow', influencerId: 'cleo' },
      [false, false, false],
    ],
  ])('an endpoint for %s', (_, endpoint, expected) => {
    expect([order, unattributed, payout].map((event) => endpointReceives(endpoint, event))).toEqual(expected);
  });
});
