/**
 * The outgoing POST (CONTRACT §12) against a real HTTP server on 127.0.0.1: every address class
 * refused before any connection, names resolved once and the checked address connected to, no
 * redirect followed, a silent server cut off at the deadline, and each kind of answer classified.
 * Names are pointed at addresses by an injected resolver; nothing leaves this machine.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ResolvedAddress, safePost } from '../../functions/common/net/safe-post';

interface Seen {
  method: string;
  url: string;
  host: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let server: http.Server;
/** Resolves when the client hangs up on the endless body. */
let endlessClosed: { promise: Promise<void>; resolve: () => void };
let port: number;
const seen: Seen[] = [];
/** What the server does with the next requests, by path. */
const behaviour: Record<string, (res: http.ServerResponse) => void> = {
  '/ok': (res) => res.writeHead(200).end('thanks'),
  '/accepted': (res) => res.writeHead(204).end(),
  '/bad': (res) => res.writeHead(400).end('{"error":"no"}'),
  '/down': (res) => res.writeHead(503).end(),
  '/moved': (res) => res.writeHead(302, { location: `http://127.0.0.1:${port}/ok` }).end(),
  '/huge': (res) => res.writeHead(200).end('x'.repeat(1_000_000)),
  // Headers, then a body that never ends.
  '/dribble': (res) => {
    res.writeHead(200);
    res.write('partial');
  },
  // Never answers.
  '/silent': () => {},
  // A body without end, written until the client hangs up.
  '/endless': (res) => {
    res.writeHead(200);
    const more = () => {
      if (!res.destroyed) res.write('y'.repeat(1024), () => setImmediate(more));
    };
    res.on('close', () => endlessClosed.resolve());
    more();
  },
};

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8');
    });
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        host: req.headers.host ?? '',
        headers: req.headers,
        body,
      });
      (behaviour[req.url ?? ''] ?? ((r: http.ServerResponse) => r.writeHead(404).end()))(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen.length = 0;
});

const resolvesTo =
  (...addresses: string[]) =>
  async (): Promise<ResolvedAddress[]> =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

const post = (url: string, more: Partial<Parameters<typeof safePost>[0]> = {}) =>
  safePost({
    url,
    headers: { 'webhook-id': 'evt_1' },
    body: '{"type":"order.credited"}',
    timeoutMs: 5_000,
    allowLocal: false,
    ...more,
  });

describe('refusing addresses that are not public', () => {
  test.each([
    ['loopback', '127.0.0.1'],
    ['IPv6 loopback', '::1'],
    ['private 10/8', '10.1.2.3'],
    ['private 172.16/12', '172.20.0.5'],
    ['private 192.168/16', '192.168.0.10'],
    ['unique local', 'fd00::5'],
    ['the metadata service', '169.254.169.254'],
    ['IPv6 link-local', 'fe80::1'],
    ['CGNAT', '100.64.0.1'],
    ['multicast', '224.0.0.251'],
    ['unspecified', '0.0.0.0'],
    ['broadcast', '255.255.255.255'],
    ['documentation', '192.0.2.1'],
    ['benchmarking', '198.18.0.1'],
    ['IPv4-mapped loopback', '::ffff:127.0.0.1'],
    ['NAT64 of the metadata service', '64:ff9b::a9fe:a9fe'],
    ['6to4 of loopback', '2002:7f00:1::1'],
  ])('a name that resolves to %s (%s) is refused before any connection', async (_, address) => {
    // Port of the real server: were the address used, the request would arrive.
    const result = await post(`https://hooks.example.com:${port}/ok`, { lookup: resolvesTo(address) });
    expect(result).toMatchObject({ outcome: 'failed', error: 'refused_address' });
    expect(seen).toHaveLength(0);
  });

  it('refuses a name with a mix of public and private addresses, naming the private one', async () => {
    const result = await post(`https://hooks.example.com:${port}/ok`, {
      lookup: resolvesTo('93.184.215.14', '10.0.0.7', '2606:4700::1'),
    });
    expect(result).toMatchObject({ outcome: 'failed', error: 'refused_address' });
    expect(result.outcome === 'failed' && result.detail).toContain('10.0.0.7');
    expect(result.outcome === 'failed' && result.detail).not.toContain('93.184.215.14');
    expect(seen).toHaveLength(0);
  });

  test.each([
    `http://127.0.0.1:${0}/ok`,
    'https://2130706433/ok',
    'https://[::ffff:127.0.0.1]/ok',
    'https://169.254.169.254/latest/meta-data/',
    'https://user:pw@hooks.example.com/ok',
    'not a url',
  ])('answers invalid_url for %s, resolving nothing', async (url) => {
    let lookups = 0;
    const result = await post(url, {
      lookup: async () => {
        lookups++;
        return [];
      },
    });
    expect(result).toMatchObject({ outcome: 'failed', error: 'invalid_url' });
    expect(lookups).toBe(0);
  });

  it('answers network for a name that does not resolve, or resolves to nothing', async () => {
    const nxdomain = Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    const unresolved = await post('https://nowhere.example.com/', {
      lookup: async () => {
        throw nxdomain;
      },
    });
    expect(unresolved).toMatchObject({ outcome: 'failed', error: 'network' });
    expect(unresolved.outcome === 'failed' && unresolved.detail).toContain('ENOTFOUND');
    expect(await post('https://empty.example.com/', { lookup: resolvesTo() })).toMatchObject({
      error: 'network',
    });
  });
});

describe('local subscribers (allowLocal)', () => {
  const local = { allowLocal: true };

  it('delivers over http to 127.0.0.1 and to localhost, with the request as given', async () => {
    expect(await post(`http://127.0.0.1:${port}/ok`, local)).toEqual({
      outcome: 'delivered',
      statusCode: 200,
    });
    expect(await post(`http://localhost:${port}/ok`, { ...local, lookup: resolvesTo('127.0.0.1') })).toEqual({
      outcome: 'delivered',
      statusCode: 200,
    });
    expect(seen).toHaveLength(2);
    for (const request of seen) {
      expect(request).toMatchObject({ method: 'POST', url: '/ok', body: '{"type":"order.credited"}' });
      expect(request.headers['webhook-id']).toBe('evt_1');
      expect(request.headers['content-type']).toBe('application/json');
    }
    expect(seen[1]?.host).toBe(`localhost:${port}`);
  });

  it('still refuses private and link-local addresses, by URL or by resolution', async () => {
    expect(await post(`http://10.0.0.1:${port}/ok`, local)).toMatchObject({ error: 'invalid_url' });
    expect(await post('http://169.254.169.254/latest/meta-data/', local)).toMatchObject({
      error: 'invalid_url',
    });
    expect(await post('https://169.254.169.254/latest/meta-data/', local)).toMatchObject({
      error: 'invalid_url',
    });
    // localhost that a resolver points elsewhere is not local.
    for (const address of ['10.0.0.1', '169.254.169.254', '192.168.1.1']) {
      expect(
        await post(`http://localhost:${port}/ok`, { ...local, lookup: resolvesTo('127.0.0.1', address) }),
      ).toMatchObject({ error: 'refused_address' });
    }
    // A public name that resolves to loopback is not a local subscriber.
    expect(
      await post(`https://hooks.example.com:${port}/ok`, { ...local, lookup: resolvesTo('127.0.0.1') }),
    ).toMatchObject({ error: 'refused_address' });
    expect(seen).toHaveLength(0);
  });

  it('connects to the address it checked: the resolver is asked once, and a rebinding answer is never used', async () => {
    // A subscriber on 127.0.0.2, which the system resolver never gives for localhost: the request
    // arrives only if the connection goes to the address that was checked.
    const pinned = http.createServer((req, res) => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        host: req.headers.host ?? '',
        headers: req.headers,
        body: '',
      });
      res.writeHead(200).end();
    });
    await new Promise<void>((resolve) => pinned.listen(0, '127.0.0.2', resolve));
    const pinnedPort = (pinned.address() as AddressInfo).port;
    try {
      const answers = [['127.0.0.2'], ['10.0.0.9']];
      let lookups = 0;
      const rebinding = async (): Promise<ResolvedAddress[]> => {
        const next = answers[Math.min(lookups++, answers.length - 1)] ?? [];
        return next.map((address) => ({ address, family: 4 as const }));
      };
      const result = await post(`http://localhost:${pinnedPort}/ok`, { ...local, lookup: rebinding });
      expect(result).toEqual({ outcome: 'delivered', statusCode: 200 });
      expect(lookups).toBe(1);
      // SNI and Host keep the name; only the connection is pinned.
      expect(seen.map((s) => s.host)).toEqual([`localhost:${pinnedPort}`]);
    } finally {
      pinned.closeAllConnections();
      await new Promise((resolve) => pinned.close(resolve));
    }
  });
});

describe('answers', () => {
  const local = { allowLocal: true };

  test.each([
    ['/ok', { outcome: 'delivered', statusCode: 200 }],
    ['/accepted', { outcome: 'delivered', statusCode: 204 }],
    ['/huge', { outcome: 'delivered', statusCode: 200 }],
    ['/bad', { outcome: 'failed', error: 'http_status', statusCode: 400 }],
    ['/down', { outcome: 'failed', error: 'http_status', statusCode: 503 }],
  ])('%s is %o', async (path, expected) => {
    expect(await post(`http://127.0.0.1:${port}${path}`, local)).toMatchObject(expected);
  });

  it('does not follow a redirect: a 3xx is a failed status, and its target is never asked', async () => {
    const result = await post(`http://127.0.0.1:${port}/moved`, local);
    expect(result).toMatchObject({ outcome: 'failed', error: 'http_status', statusCode: 302 });
    expect(seen.map((s) => s.url)).toEqual(['/moved']);
  });

  it('gives up on a server that never answers, at the deadline', async () => {
    const result = await post(`http://127.0.0.1:${port}/silent`, { ...local, timeoutMs: 300 });
    expect(result).toMatchObject({ outcome: 'failed', error: 'timeout' });
  });

  it('gives up on a resolver that never answers, at the deadline', async () => {
    const result = await post(`http://localhost:${port}/ok`, {
      ...local,
      timeoutMs: 200,
      lookup: () => new Promise<ResolvedAddress[]>(() => {}),
    });
    expect(result).toMatchObject({ outcome: 'failed', error: 'timeout' });
    expect(seen).toHaveLength(0);
  });

  it('takes the status of a 2xx whose body never ends, and stops reading at the deadline', async () => {
    const result = await post(`http://127.0.0.1:${port}/dribble`, { ...local, timeoutMs: 300 });
    expect(result).toEqual({ outcome: 'delivered', statusCode: 200 });
  });

  it('reads only the first few KB of a body and hangs up, long before the deadline', async () => {
    let resolve = () => {};
    const promise = new Promise<void>((r) => {
      resolve = r;
    });
    endlessClosed = { promise, resolve };
    // Were the body read to its end, this would wait for the deadline, far beyond the test's own.
    const result = await post(`http://127.0.0.1:${port}/endless`, { ...local, timeoutMs: 600_000 });
    expect(result).toEqual({ outcome: 'delivered', statusCode: 200 });
    await endlessClosed.promise;
  });

  it('answers network when nothing listens', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await post(`http://127.0.0.1:${closedPort}/ok`, local);
    expect(result).toMatchObject({ outcome: 'failed', error: 'network' });
    expect(result.outcome === 'failed' && result.detail).toContain('ECONNREFUSED');
  });
});
