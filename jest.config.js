/** Every test layer runs under one Jest; the layers are separate projects so each can be run alone
 * (`npx jest --selectProjects unit`). Integration and e2e share one set of emulators per worker. */
const swc = [
  '@swc/jest',
  { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
];
const base = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj)s$': swc },
  // @middy is published as ESM only: let swc turn it into CommonJS for Jest. Lambda's InvokeStore
  // loads node:async_hooks with a dynamic import(), which Jest's CommonJS runtime cannot run as is.
  transformIgnorePatterns: ['/node_modules/(?!(@middy|@aws/lambda-invoke-store)/)'],
  // @middy 7 lists an `import` condition only, which Jest's CommonJS resolver does not ask for
  // (lib/local/esm-only-packages.ts does the same for tsx).
  moduleNameMapper: { '^@middy/(core|util)$': '<rootDir>/node_modules/@middy/$1/index.js' },
};
/** Layers that run `npm start` as a child: Java is checked first, and no runtime outlives a file. */
const runtimeLayer = {
  ...base,
  globalSetup: '<rootDir>/test/support/prerequisites.ts',
  setupFilesAfterEnv: ['<rootDir>/test/support/slow-tests.ts', '<rootDir>/test/support/stop-runtimes.ts'],
};
module.exports = {
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...base, displayName: 'infra', testMatch: ['<rootDir>/test/infra/**/*.test.ts'] },
    {
      ...base,
      displayName: 'integration',
      setupFilesAfterEnv: ['<rootDir>/test/support/slow-tests.ts'],
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    {
      // Headless Chromium (Debian's, see .ci/run; CHROMIUM_PATH overrides where) against `npm start`:
      // test/support/browser-*.ts. Without it a developer's run skips this layer with a notice; CI fails.
      ...runtimeLayer,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
    },
    { ...runtimeLayer, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
    {
      // The functions as they deploy: bundled once per run, loaded by plain `node`, compared with
      // the sources on the integration layer's stores.
      ...base,
      displayName: 'bundles',
      setupFilesAfterEnv: ['<rootDir>/test/support/slow-tests.ts'],
      testMatch: ['<rootDir>/test/bundles/**/*.test.ts'],
      globalSetup: '<rootDir>/test/bundles/global-setup.ts',
      globalTeardown: '<rootDir>/test/bundles/global-teardown.ts',
    },
  ],
};
