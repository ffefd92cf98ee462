/**
 * Synthesizes the CDK app the way bin/app.ts does (same stack, same cdk-nag registration, the feature
 * flags from cdk.json), for the infra tests. Bundling is skipped unless asked for: Template
 * assertions do not need the bundles, and esbuild for every function would dominate the run time.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, type Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CreditlinkStack, type CreditlinkStackProps } from '../../lib/stack';

const repoRoot = path.resolve(__dirname, '..', '..');

/** The feature flags and other context from cdk.json, so tests synthesize what `cdk synth` does. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson: { context?: Record<string, unknown> } = JSON.parse(
    readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8'),
  );
  return cdkJson.context ?? {};
}

export interface SynthOptions {
  bundle?: boolean;
  context?: Record<string, unknown>;
  stackProps?: CreditlinkStackProps;
  /** Runs after the stack is built and before synthesis (to add a deliberate finding, say). */
  beforeSynth?: (stack: CreditlinkStack) => void;
}

const outdirs: string[] = [];

/** Deletes the cloud assemblies this file synthesized (call it from `afterAll`). */
export function removeSynthOutput(): void {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function buildApp(options: SynthOptions = {}): { app: App; stack: CreditlinkStack } {
  // An own temporary directory per app, so removeSynthOutput() can clean up after the test file.
  const outdir = mkdtempSync(path.join(tmpdir(), 'creditlink-infra-'));
  outdirs.push(outdir);
  const app = new App({
    outdir,
    context: {
      ...cdkJsonContext(),
      // The CLI sets this to the stacks being synthesized; an empty list means "bundle none".
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...options.context,
    },
  });
  const stack = new CreditlinkStack(app, 'Creditlink', options.stackProps);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  options.beforeSynth?.(stack);
  return { app, stack };
}

export function synthTemplate(options: SynthOptions = {}): {
  app: App;
  stack: CreditlinkStack;
  template: Template;
} {
  const { app, stack } = buildApp(options);
  // app.synth() runs the validation plugins (cdk-nag) and throws on an unacknowledged finding.
  const assembly = app.synth();
  const template = Template.fromJSON(assembly.getStackByName(stack.stackName).template);
  return { app, stack, template };
}

/** The logical id CloudFormation knows a construct's main resource by. */
export function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  const child = construct.node.defaultChild;
  if (!child || typeof child !== 'object' || !('logicalId' in child)) throw new Error('No default child');
  return stack.resolve(child.logicalId) as string;
}
