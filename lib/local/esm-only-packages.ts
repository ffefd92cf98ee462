/**
 * Lets CommonJS code load the packages that publish an `import` condition only (`@middy/core` 7 and
 * its `@middy/util`). Node.js 24 can require() an ES module, but its CommonJS resolver asks for the
 * `require` condition, which these packages do not list; tsx then compiles them to CommonJS and their
 * own imports of each other fail the same way. Lambda never needs this: esbuild resolves ES imports
 * with the `import` condition when it bundles. Jest maps the same packages in jest.config.js.
 *
 * Import it before anything that loads a handler: every process entry that runs handlers under tsx
 * (bin/local.ts, bench children, test/support/local-invocations.ts) does so first.
 */
import { registerHooks } from 'node:module';

const IMPORT_ONLY = /^@middy\//;

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (IMPORT_ONLY.test(specifier) && !context.conditions.includes('import'))
      return nextResolve(specifier, { ...context, conditions: [...context.conditions, 'import'] });
    return nextResolve(specifier, context);
  },
});
