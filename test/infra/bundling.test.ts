/**
 * Real bundling, once: every handler of the wiring manifest bundles with the local esbuild (no
 * Docker), minified, with a source map next to it. The other infra tests skip bundling for speed.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type FunctionKey, functions } from '../../lib/wiring';
import { logicalId, removeSynthOutput, synthTemplate } from './synth';

jest.setTimeout(120_000);

const functionKeys = Object.keys(functions) as FunctionKey[];

describe('function bundles', () => {
  let bundleDirOf: (key: FunctionKey) => string;

  beforeAll(() => {
    const { app, stack, template } = synthTemplate({ bundle: true });
    const outdir = app.outdir;
    const manifest = JSON.parse(
      readFileSync(path.join(outdir, `${stack.artifactId}.assets.json`), 'utf8'),
    ) as {
      files: Record<string, { source: { path: string } }>;
    };
    const resources = template.toJSON().Resources as Record<
      string,
      { Properties: { Code: { S3Key: string } } }
    >;
    bundleDirOf = (key) => {
      const s3Key = resources[logicalId(stack, stack.function(key))]?.Properties.Code.S3Key ?? '';
      const source = manifest.files[s3Key.replace(/\.zip$/, '')]?.source.path;
      if (!source) throw new Error(`No asset for the ${key} function`);
      return path.join(outdir, source);
    };
  });

  afterAll(removeSynthOutput);

  test.each(functionKeys)('%s is minified, with a source map and the AWS SDK bundled in', (key) => {
    const dir = bundleDirOf(key);
    const code = readFileSync(path.join(dir, 'index.js'), 'utf8');
    expect(existsSync(path.join(dir, 'index.js.map'))).toBe(true);
    // (Assertions on extracts, not on `code`: a failure would print the whole bundle.)
    expect(code.trimEnd().slice(-40)).toMatch(/\/\/# sourceMappingURL=index\.js\.map$/);
    // Minified output is a handful of very long lines.
    expect(code.length / code.split('\n').length).toBeGreaterThan(500);
    // The SDK is inside the bundle; the only requires left are the optional SigV4a signers, which
    // the SDK loads lazily for multi-region endpoints these functions never call.
    const sdkRequires = new Set(code.match(/require\(["']@aws-sdk\/[^"']+["']\)/g) ?? []);
    expect([...sdkRequires].filter((r) => !/@aws-sdk\/signature-v4(a|-crt)['"]/.test(r))).toEqual([]);
  });
});
