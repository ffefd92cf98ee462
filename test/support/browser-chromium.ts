/**
 * Headless Chromium for browser tests: Debian's own build (`apt-get install chromium`, which
 * .ci/run does), driven by playwright-core, which never downloads a browser of its own. Each launch
 * gets a fresh profile directory, removed on close, and flags that keep Chromium off the network
 * (this machine has none beyond loopback and the package registries).
 *
 * CHROMIUM_PATH overrides where the browser is (e.g. `/nonexistent`, to see how the browser layer
 * behaves on a machine without it): a developer's run then skips that layer with a notice, while
 * under CI=true a missing browser is a failure, so CI can never skip it silently.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type BrowserContextOptions, chromium } from 'playwright-core';
import { oneLineError } from './prerequisites';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const INSTALL_CHROMIUM = 'apt-get update && apt-get install -y chromium';

/** Why the browser layer cannot run here, in one line, or undefined when Chromium is present. */
export function chromiumMissing(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  return `Browser tests need Debian's Chromium at ${CHROMIUM_PATH} (CHROMIUM_PATH): ${INSTALL_CHROMIUM}`;
}

/** Whether a missing Chromium fails the run instead of skipping the browser layer. */
export const browserRequired = () => process.env.CI === 'true';

/** A phone: the viewport of an iPhone 14/15 at its pixel density, touch, and a mobile user agent. */
export const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  // Headless Chromium says "HeadlessChrome", which isbot rightly calls a bot (no view, no click id):
  // the test is about a shopper, so it presents as Chrome on an Android phone.
  userAgent:
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36',
  locale: 'en-US',
};

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(options: {
  context?: BrowserContextOptions;
  /** Host name → 127.0.0.1 mappings, e.g. a stand-in merchant's site on loopback. */
  mapHostsToLoopback?: string[];
  /** Accept self-signed certificates (test stand-ins only). */
  ignoreCertificateErrors?: boolean;
}): Promise<Browser> {
  const missing = chromiumMissing();
  if (missing) throw oneLineError(missing);
  const profile = mkdtempSync(join(tmpdir(), 'creditlink-chromium-'));
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ];
  const hosts = options.mapHostsToLoopback ?? [];
  if (hosts.length) args.push(`--host-resolver-rules=${hosts.map((h) => `MAP ${h} 127.0.0.1`).join(', ')}`);
  if (options.ignoreCertificateErrors) args.push('--ignore-certificate-errors');
  try {
    // A persistent context is how playwright takes an explicit --user-data-dir: a new empty one here.
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args,
      ignoreHTTPSErrors: options.ignoreCertificateErrors ?? false,
      timeout: 20_000,
      ...options.context,
    });
    return {
      context,
      async close() {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
}
