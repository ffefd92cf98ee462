/**
 * Minified bundle size of every function in the wiring manifest, built with the same esbuild
 * settings that lib/constructs/function-with-log-group.ts gives NodejsFunction (which runs
 * `esbuild --bundle <entry> --target=… --platform=node --format=cjs --minify --sourcemap
 * --sources-content=false --main-fields=module,main --alias:…`, with no externals because
 * `bundleAwsSDK` is true, and the settings of lib/bundling/settings.ts).
 */
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { lambdaBuildOptions } from '../lib/bundling/settings';
import { BUNDLE_TARGET } from '../lib/constructs/function-with-log-group';
import { type FunctionKey, functions } from '../lib/wiring';
import { int, kib, table } from './lib/format';
import type { BenchContext, BenchModule, Row, Section } from './lib/types';

const repoRoot = resolve(__dirname, '..');

export interface Bundle {
  key: string;
  bytes: number;
  gzipBytes: number;
  mapBytes: number;
  /** Bytes in the output by npm package (or "own code"), largest first. */
  contributors: Array<[string, number]>;
  /** The bundle and its source map, as esbuild made them (not written to disk). */
  files: { js: Uint8Array; map: Uint8Array };
  metafile: Metafile;
}

/** The construct's own esbuild target: both come from package.json's `config.nodeMajor`. */
export const bundleTarget = () => BUNDLE_TARGET;

export const bundlesBench: BenchModule = {
  id: 'bundles',
  async run(ctx: BenchContext): Promise<Section> {
    const target = bundleTarget();
    const bundles: Bundle[] = [];
    const rows: Row[] = [];
    const problems: string[] = [];
    for (const key of Object.keys(functions) as FunctionKey[]) {
      ctx.log(`bundling ${key}…`);
      const figure = `Bundle size, ${key} function (minified JS)`;
      // A function that does not build yet (the manifest names a handler still being written) is
      // reported as such, and the other functions are still measured.
      const built = await bundle(key, target, join(ctx.tmpDir, key)).then(
        (b) => b,
        (err: unknown) => {
          problems.push(`${key} did not build: ${err instanceof Error ? err.message : String(err)}`);
          return undefined;
        },
      );
      if (built) bundles.push(built);
      rows.push({
        figure,
        value: built ? `${int(built.bytes)} B (${kib(built.bytes)})` : 'did not build',
        baseline: '—',
        ratio: '—',
        goal: '',
      });
    }
    const details = table(
      ['Function', 'Minified bytes', 'KiB', 'gzip KiB', 'Source map KiB', 'Largest parts of the bundle'],
      bundles.map((b) => [
        b.key,
        int(b.bytes),
        (b.bytes / 1024).toFixed(1),
        (b.gzipBytes / 1024).toFixed(1),
        (b.mapBytes / 1024).toFixed(1),
        b.contributors
          .slice(0, 4)
          .map(([name, bytes]) => `${name} ${kib(bytes)}`)
          .join(', '),
      ]),
    );
    return {
      title: 'Function bundles',
      rows,
      details: [details],
      problems,
      howMeasured: `**Bundles.** Each \`functions\` entry of lib/wiring.ts is bundled with esbuild's API using the settings of lib/constructs/function-with-log-group.ts: bundle, platform node, target ${target}, format cjs, minify, linked source map without sources content, the settings of lib/bundling/settings.ts (main fields \`module\` before \`main\`, so that the SDK's ES modules tree-shake; the SDK's credential chain reduced to the environment; no browser user-agent parser), and the AWS SDK bundled in (\`bundleAwsSDK: true\`, so nothing is external). The figure is the size of \`index.js\` alone; the gzip size approximates the zipped upload, and the parts come from esbuild's metafile.`,
    };
  },
};

export interface BundleOptions {
  /**
   * Build with esbuild's own defaults for Node.js instead of lib/bundling/settings.ts's: the SDK as
   * it ships, for the cold-start floor. The functions always build as the construct builds them.
   */
  sdkAsShipped?: boolean;
}

/** One function's bundle (or, with `entry`, any module's), built as the CDK construct builds it. */
export async function bundle(
  key: string,
  target: string,
  outDir: string,
  entry: string = functions[key as FunctionKey].entry,
  { sdkAsShipped = false }: BundleOptions = {},
): Promise<Bundle> {
  const outfile = join(outDir, 'index.js');
  const result = await build({
    entryPoints: [join(repoRoot, entry)],
    absWorkingDir: repoRoot,
    bundle: true,
    platform: 'node',
    target,
    format: 'cjs',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    ...(sdkAsShipped ? {} : lambdaBuildOptions()),
    outfile,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const js = result.outputFiles.find((file) => file.path === outfile);
  const map = result.outputFiles.find((file) => file.path === `${outfile}.map`);
  if (!js || !map) throw new Error(`esbuild produced no ${outfile} (and map) for ${key}`);
  return {
    key,
    bytes: js.contents.byteLength,
    gzipBytes: gzipSync(js.contents, { level: 9 }).byteLength,
    mapBytes: map.contents.byteLength,
    contributors: contributors(result.metafile),
    files: { js: js.contents, map: map.contents },
    metafile: result.metafile,
  };
}

function contributors(metafile: Metafile): Array<[string, number]> {
  const byPackage = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const name = packageOf(path);
      byPackage.set(name, (byPackage.get(name) ?? 0) + input.bytesInOutput);
    }
  }
  return [...byPackage.entries()].sort((a, b) => b[1] - a[1]);
}

/** `node_modules/@aws-sdk/client-dynamodb/dist-cjs/index.js` → `@aws-sdk/client-dynamodb` (a nested
 * copy counts as the innermost package). */
function packageOf(path: string): string {
  const match = /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  return match?.[1] ?? 'own code';
}
