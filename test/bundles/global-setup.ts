/**
 * The bundles layer: the stores the integration layer uses, and every function built once for the
 * whole run, as it deploys. The test files find the bundles through TEST_BUNDLES (key → index.js).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import startStores from '../support/global-setup';
import stopStores from '../support/global-teardown';
import { buildBundles } from './build';

declare global {
  var __BUNDLE_DIR__: string | undefined;
}

export default async function globalSetup(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'creditlink-bundles-'));
  globalThis.__BUNDLE_DIR__ = dir;
  // Both at once, but settled before either failure is thrown: Jest runs no global teardown when a
  // global setup throws, so stores that came up beside a failed build must be stopped here.
  const [built, stores] = await Promise.allSettled([buildBundles(dir), startStores()]);
  if (built.status === 'rejected' || stores.status === 'rejected') {
    await stopStores();
    rmSync(dir, { recursive: true, force: true });
    throw built.status === 'rejected' ? built.reason : (stores as PromiseRejectedResult).reason;
  }
  process.env.TEST_BUNDLES = JSON.stringify(built.value);
}
