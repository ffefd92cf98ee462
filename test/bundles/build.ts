/**
 * Builds every function of the wiring manifest the way lib/constructs/function-with-log-group.ts has
 * NodejsFunction build it for deployment (bundle, platform node, the same target, CommonJS, minified,
 * source map without sources, lib/bundling/settings.ts's main fields and substitutions, the AWS SDK
 * inside), each into `<outDir>/<key>/index.js`.
 */
import { join, resolve } from 'node:path';
import { build, stop } from 'esbuild';
import { lambdaBuildOptions } from '../../lib/bundling/settings';
import { BUNDLE_TARGET } from '../../lib/constructs/function-with-log-group';
import { type FunctionKey, functions } from '../../lib/wiring';

const repoRoot = resolve(__dirname, '..', '..');

export async function buildBundles(outDir: string): Promise<Record<FunctionKey, string>> {
  const keys = Object.keys(functions) as FunctionKey[];
  const built = await Promise.all(
    keys.map(async (key) => {
      const outfile = join(outDir, key, 'index.js');
      await build({
        entryPoints: [join(repoRoot, functions[key].entry)],
        absWorkingDir: repoRoot,
        bundle: true,
        platform: 'node',
        target: BUNDLE_TARGET,
        format: 'cjs',
        minify: true,
        sourcemap: true,
        sourcesContent: false,
        ...lambdaBuildOptions(),
        outfile,
        logLevel: 'silent',
      });
      return [key, outfile] as const;
    }),
  ).finally(() => {
    // esbuild's service process would otherwise live as long as Jest's main process.
    stop();
  });
  return Object.fromEntries(built) as Record<FunctionKey, string>;
}
