import { BlockList, isIP, createServer as netServer, type Server } from 'node:net';

/** A TCP port that was free on loopback a moment ago (for children that need a port number). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = netServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** 127.0.0.0/8, ::1 and IPv4-mapped loopback: addresses no other machine can connect to. */
export function isLoopbackAddress(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && loopback.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Throws unless `server` listens on loopback only. The local stand-ins accept unsigned writes (of
 * credits, of orders to queue), so anything else would let the network change them.
 */
export function assertListensOnLoopback(server: Pick<Server, 'address'>, what: string): void {
  const address = server.address();
  const host = typeof address === 'object' && address ? address.address : String(address);
  if (!isLoopbackAddress(host))
    throw new Error(`${what} listens on ${host}, not on loopback: refusing to start.`);
}
