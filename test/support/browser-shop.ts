/**
 * A stand-in for a merchant's web site in browser tests: an https server on 127.0.0.1 with a
 * self-signed certificate made at test time (link targets must be https on one of the merchant's
 * domains), serving product pages and product images, and recording every request so a test can
 * check what a shopper's click brought along (the click id, the utm_* marker).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SHOP_HOST = 'shop.localtest';

export interface ShopStandIn {
  /** `https://shop.localtest:<port>`: reachable from a browser started with the host mapped to loopback. */
  origin: string;
  /** Every request received, as a URL on `origin`. */
  requests: URL[];
  close(): Promise<void>;
}

/** A throwaway self-signed certificate for `host` (EC P-256: fast to make). */
function selfSignedCertificate(host: string): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'creditlink-cert-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        `/CN=${host}`,
        '-addext',
        `subjectAltName=DNS:${host}`,
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ],
      { stdio: 'pipe' },
    );
    return { key: readFileSync(keyFile), cert: readFileSync(certFile) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Simple flat product pictures, so the storefront (and its screenshot) looks like one. */
const PRODUCT_ART: Record<string, { from: string; to: string; shape: string }> = {
  shirt: {
    from: '#fde2cf',
    to: '#f7b797',
    shape:
      '<path d="M220 150l-70 40-40 90 60 25 20-40v195h220V265l20 40 60-25-40-90-70-40c-10 30-40 50-70 50s-60-20-70-50z" fill="#fffaf4" stroke="#d98a5f" stroke-width="8" stroke-linejoin="round"/>',
  },
  hat: {
    from: '#e4f1d9',
    to: '#b9dba0',
    shape:
      '<ellipse cx="300" cy="360" rx="210" ry="60" fill="#e8c670" stroke="#a9822d" stroke-width="8"/><path d="M190 355c0-110 50-160 110-160s110 50 110 160z" fill="#f0d488" stroke="#a9822d" stroke-width="8"/><rect x="192" y="315" width="216" height="30" fill="#3b6e4f"/>',
  },
  glasses: {
    from: '#dbe9fb',
    to: '#a9c8f1',
    shape:
      '<rect x="110" y="250" width="165" height="110" rx="45" fill="#26303d"/><rect x="325" y="250" width="165" height="110" rx="45" fill="#26303d"/><path d="M275 285c15-20 35-20 50 0" fill="none" stroke="#26303d" stroke-width="14"/><path d="M140 275c20-10 50-12 70-5M355 275c20-10 50-12 70-5" stroke="#8aa4c6" stroke-width="10" stroke-linecap="round"/>',
  },
  bag: {
    from: '#f6dbe6',
    to: '#eaa9c2',
    shape:
      '<path d="M225 235c0-70 30-100 75-100s75 30 75 100" fill="none" stroke="#8f3b5c" stroke-width="18"/><path d="M160 230h280l-20 250H180z" fill="#fff4f8" stroke="#8f3b5c" stroke-width="8" stroke-linejoin="round"/><circle cx="300" cy="330" r="28" fill="#e8799f"/>',
  },
};

export const productImages = Object.keys(PRODUCT_ART);

function productSvg(name: string): string | undefined {
  const art = PRODUCT_ART[name];
  if (!art) return undefined;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="600" viewBox="0 0 600 600"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${art.from}"/><stop offset="1" stop-color="${art.to}"/></linearGradient></defs><rect width="600" height="600" fill="url(#g)"/>${art.shape}</svg>`;
}

export async function startShopStandIn(): Promise<ShopStandIn> {
  const requests: URL[] = [];
  let origin = '';
  const server: Server = createServer(selfSignedCertificate(SHOP_HOST), (req, res) => {
    const url = new URL(req.url ?? '/', origin);
    requests.push(url);
    const image = /^\/img\/([a-z]+)\.svg$/.exec(url.pathname)?.[1];
    const svg = image ? productSvg(image) : undefined;
    if (svg) {
      res.writeHead(200, { 'content-type': 'image/svg+xml', 'cache-control': 'no-store' });
      res.end(svg);
    } else if (url.pathname.startsWith('/product/')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        '<!doctype html><html lang="en"><title>Product</title><h1 id="product">Product page</h1></html>',
      );
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  origin = `https://${SHOP_HOST}:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    requests,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
