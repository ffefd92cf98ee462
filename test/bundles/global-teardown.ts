import { rmSync } from 'node:fs';
import stopStores from '../support/global-teardown';

export default async function globalTeardown(): Promise<void> {
  await stopStores();
  if (globalThis.__BUNDLE_DIR__) rmSync(globalThis.__BUNDLE_DIR__, { recursive: true, force: true });
}
