/**
 * One Node.js major everywhere: the Lambda runtime, the bundles' esbuild target, the node-<os>-<cpu>
 * packages that `npm ci` links as node_modules/.bin/node, and the binary this test runs on all come
 * from package.json's `config.nodeMajor`.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  BUNDLE_TARGET,
  NODE_MAJOR,
  newestNodeRuntime,
  nodeRuntime,
} from '../../lib/constructs/function-with-log-group';

const repoRoot = resolve(__dirname, '..', '..');
const read = (file: string) => JSON.parse(readFileSync(join(repoRoot, file), 'utf8'));
const pkg = read('package.json') as {
  config: { nodeMajor: number };
  engines: { node: string };
  optionalDependencies: Record<string, string>;
};
const lock = read('package-lock.json') as { packages: Record<string, { version?: string }> };
const major = (version: string) => Number(/^v?(\d+)\./.exec(version)?.[1]);

describe(`Node.js ${NODE_MAJOR}`, () => {
  it('is what the functions deploy on and what their bundles target', () => {
    expect(NODE_MAJOR).toBe(pkg.config.nodeMajor);
    expect(nodeRuntime().name).toBe(`nodejs${NODE_MAJOR}.x`);
    expect(BUNDLE_TARGET).toBe(`node${NODE_MAJOR}`);
  });

  it('is the newest Node.js runtime aws-cdk-lib offers (cdk-nag AwsSolutions-L1 asks for it)', () => {
    expect(nodeRuntime().name).toBe(newestNodeRuntime().name);
  });

  it('is the major of every node-<os>-<cpu> package, all at one version', () => {
    const nodePackages = Object.entries(pkg.optionalDependencies).filter(([name]) =>
      /^node-[a-z]+-[a-z0-9]+$/.test(name),
    );
    expect(nodePackages.length).toBeGreaterThan(0);
    expect(new Set(nodePackages.map(([, range]) => range)).size).toBe(1);
    for (const [name, range] of nodePackages) {
      expect([name, major(range)]).toEqual([name, NODE_MAJOR]);
      expect([name, major(lock.packages[`node_modules/${name}`]?.version ?? '')]).toEqual([name, NODE_MAJOR]);
    }
  });

  it('is the Node.js these tests run on', () => {
    expect(major(process.version)).toBe(NODE_MAJOR);
  });
});

describe('dependencies', () => {
  // Each name once in the lock file: one copy of the SDK's and Powertools' shared core per bundle.
  it.each(['@aws-sdk/', '@smithy/', '@aws-lambda-powertools/', '@middy/'])(
    '%s* resolve to one version each',
    (scope) => {
      const versions = new Map<string, Set<string>>();
      for (const [path, entry] of Object.entries(lock.packages)) {
        const name = /node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(path)?.[1];
        if (!name?.startsWith(scope) || !entry.version) continue;
        versions.set(name, (versions.get(name) ?? new Set()).add(entry.version));
      }
      const duplicated = [...versions]
        .filter(([, v]) => v.size > 1)
        .map(([name, v]) => `${name}@${[...v].join('|')}`);
      expect(duplicated).toEqual([]);
    },
  );

  it('Powertools packages are all at one version', () => {
    const powertools = Object.entries({ ...read('package.json').dependencies }).filter(([name]) =>
      name.startsWith('@aws-lambda-powertools/'),
    );
    expect(new Set(powertools.map(([, v]) => v)).size).toBe(1);
  });
});
