/**
 * esbuild settings of the Lambda bundles beyond the construct's plain ones, shared by the CDK
 * construct (lib/constructs/function-with-log-group.ts), the bundle and cold-start benchmarks
 * (bench/bundles.ts) and the bundles test layer (test/bundles/build.ts), so that what is measured
 * and tested is what deploys.
 */
import * as path from 'node:path';

/**
 * `module` before `main`: the AWS SDK's packages ship CommonJS under `main` and ES modules under
 * `module`. esbuild's default for Node.js (`main` first) takes the CommonJS clients, which
 * `require` the SDK's shared packages whole (every protocol, serde and client helper: XML, query,
 * CBOR and event streams in a DynamoDB-only function); from ES modules it keeps only what is
 * used, about 200 KiB less per function. Only the SDK's packages have both fields among our
 * dependencies; the others resolve as before.
 */
export const BUNDLE_MAIN_FIELDS: readonly string[] = ['module', 'main'];

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

/** The settings above as esbuild API options (the benchmarks, the bundles layer). */
export function lambdaBuildOptions(): { alias: Record<string, string>; mainFields: string[] } {
  return { alias: { ...BUNDLE_ALIAS }, mainFields: [...BUNDLE_MAIN_FIELDS] };
}

/**
 * The substitutions as esbuild command-line arguments for NodejsFunction's `esbuildArgs`, which
 * renders `{ key: value }` as `key=value`: a key per package, `--alias:<package>`, so that each
 * gets its own argument.
 */
export function bundleAliasArgs(): Record<string, string> {
  return Object.fromEntries(Object.entries(BUNDLE_ALIAS).map(([from, to]) => [`--alias:${from}`, to]));
}
