/**
 * Real bundling, once: every handler of the wiring manifest bundles with the local esbuild (no
 * Docker), minified, with a source map next to it. The other infra tests skip bundling for speed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type FunctionKey, functions } from '../../lib/wiring';
import { logicalId, removeSynthOutput, synthTemplate } from './synth';

jest.setTimeout(120_000);

const functionKeys = Object.keys(functions) as FunctionKey[];

describe('function bundles', () => {
  let bundleDirOf: (key: FunctionKey) => string;
  let environmentOf: (key: FunctionKey) => Record<string, string>;

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
    environmentOf = (key) => {
      const props = resources[logicalId(stack, stack.function(key))]?.Properties as {
        Environment?: { Variables?: Record<string, unknown> };
      };
      // Tokens (table names, queue URLs) resolve only in AWS; any non-empty value loads the same.
      return Object.fromEntries(
        Object.entries(props.Environment?.Variables ?? {}).map(([name, value]) => [
          name,
          typeof value === 'string'
            ? value
            : name.endsWith('_URL')
              ? `https://resolved.example/${name.toLowerCase()}`
              : `resolved-${name.toLowerCase()}`,
        ]),
      );
    };
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

  // Lambda puts the role's credentials in the environment, so the bundles carry only the
  // environment link of the SDK's credential chain (lib/bundling/settings.ts): the source map names
  // every module esbuild put in, and none of the other links, nor the STS/SSO clients they use.
  test.each(functionKeys)(
    '%s carries the SDK as ES modules, with only the environment credential provider',
    (key) => {
      const { sources } = JSON.parse(readFileSync(path.join(bundleDirOf(key), 'index.js.map'), 'utf8')) as {
        sources: string[];
      };
      const chainModules = sources.filter((source) =>
        /@aws-sdk\/(credential-provider-(?!env\/)[^/]+|nested-clients|token-providers)\/|@smithy\/credential-provider-imds\/|\/bowser\//.test(
          source,
        ),
      );
      expect(chainModules).toEqual([]);
      // The SDK's ES modules (main fields `module` first), which tree-shake, not its CommonJS builds.
      expect(sources.filter((source) => /@(aws-sdk|smithy)\/[^/]+\/dist-cjs\//.test(source))).toEqual([]);
      if (sources.some((source) => source.includes('@aws-sdk/client-'))) {
        expect(
          sources.filter((source) => source.endsWith('lib/bundling/lambda-credentials.ts')),
        ).toHaveLength(1);
      }
      // A QR code is drawn as SVG (functions/common/http/qr-svg.ts): no PNG renderer, no PNG library.
      expect(
        sources.filter((source) => /\/pngjs\/|\/qrcode\/lib\/(server|renderer\/png)\.js$/.test(source)),
      ).toEqual([]);
    },
  );

  // A function reads its configuration when its module loads (functions/common/config/env.ts), so
  // a variable the stack forgets to set makes every cold start fail in AWS, while locally, where
  // the runtime sets every variable, nothing shows it. Loading the bundle with exactly the
  // template's variables (and what Lambda itself sets) finds it before a deploy does.
  test.each(functionKeys)('%s loads with only the environment the stack gives it', (key) => {
    const loaded = spawnSync(
      process.execPath,
      ['-e', `require(${JSON.stringify(path.join(bundleDirOf(key), 'index.js'))})`],
      {
        env: {
          PATH: process.env.PATH ?? '',
          ...environmentOf(key),
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'AKIDLOADONLY',
          AWS_SECRET_ACCESS_KEY: 'load-only',
          AWS_LAMBDA_FUNCTION_NAME: key,
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
        },
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect({ status: loaded.status, stderr: loaded.stderr.split('\n').slice(0, 5).join('\n') }).toEqual({
      status: 0,
      stderr: '',
    });
  });
});
