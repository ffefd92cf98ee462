/**
 * The bundles layer: the stores the integration layer uses, and every function built once for the
 * whole run, as it deploys. The test files find the bundles through TEST_BUNDLES (key → index.js).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import startStores from '../support/global-setup';
import { buildBundles } from './build';

declare global {
  var __BUNDLE_DIR__: string | undefined;
}

export default async function globalSetup(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'creditlink-bundles-'));
  globalThis.__BUNDLE_DIR__ = dir;
  const [bundles] = await Promise.all([buildBundles(dir), startStores()]);
  process.env.TEST_BUNDLES = JSON.stringify(bundles);
}
