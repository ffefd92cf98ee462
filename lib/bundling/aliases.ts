/**
 * Module substitutions for the Lambda bundles, shared by the CDK construct
 * (lib/constructs/function-with-log-group.ts), the bundle and cold-start benchmarks
 * (bench/bundles.ts) and the bundles test layer (test/bundles/build.ts), so that what is measured and
 * tested is what deploys.
 */
import * as path from 'node:path';

/**
 * Package → absolute path of the module that replaces it in every bundle. esbuild resolves a relative
 * replacement against its working directory, which differs between the CDK's esbuild run and the
 * API builds, so the paths are absolute.
 */
export const BUNDLE_ALIAS: Readonly<Record<string, string>> = {
  // The SDK's default credential chain, of which only the environment link can answer in Lambda.
  '@aws-sdk/credential-provider-node': path.join(__dirname, 'lambda-credentials.ts'),
  // A browser sniffer the SDK's browser user-agent provider imports; Node.js never runs it.
  bowser: path.join(__dirname, 'no-browser-user-agent.ts'),
};

/**
 * The same substitutions as esbuild command-line arguments for NodejsFunction's `esbuildArgs`, which
 * renders `{ key: value }` as `key=value`: a key per package, `--alias:<package>`, so that each
 * gets its own argument.
 */
export function bundleAliasArgs(): Record<string, string> {
  return Object.fromEntries(Object.entries(BUNDLE_ALIAS).map(([from, to]) => [`--alias:${from}`, to]));
}
