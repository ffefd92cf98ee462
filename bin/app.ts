/**
 * The CDK app: `npx cdk synth` / `npx cdk deploy` (see cdk.json). One stack, built from the wiring
 * manifest by lib/stack.ts, checked by cdk-nag's AWS Solutions rules: an unacknowledged finding
 * fails synth. Acknowledgements sit next to the construct they concern, each with its reason.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CreditlinkStack } from '../lib/stack';

const app = new App();
// No `env`: the stack is environment-agnostic, so synth needs no credentials and deploy goes to the
// account and region of the CLI's profile.
new CreditlinkStack(app, 'Creditlink', {
  description: 'creditlink: influencer-commerce backend (tracked links, webhooks, attribution, payouts)',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
