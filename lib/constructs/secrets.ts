/**
 * The Secrets Manager secrets, one per `secrets` entry of the wiring manifest, each with a value that
 * CloudFormation generates at deploy time (so no secret is ever in the template or in git).
 */
import { type CfnResource, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Secret, type SecretStringGenerator } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { type SecretKey, secrets as secretSpecs } from '../wiring';

/** A secret together with the variable that carries its ARN to a function. */
export interface EnvSecret {
  readonly secret: Secret;
  readonly idEnvVar: string;
}

const HEX_KEY: SecretStringGenerator = {
  passwordLength: 64,
  excludeUppercase: true,
  excludePunctuation: true,
  excludeCharacters: 'ghijklmnopqrstuvwxyz',
  includeSpace: false,
};

/**
 * How each secret's value is generated. Keyed by SecretKey, so a secret added to the specs without a
 * generation rule here is a compile error rather than a silently weak default.
 */
const generators: Record<SecretKey, SecretStringGenerator> = {
  // Pasted into `Authorization: Bearer ...` by operators: no punctuation keeps it shell- and
  // header-safe; 48 alphanumerics are about 285 bits.
  adminToken: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
  // A 256-bit key as 64 hex digits (functions/common/config/keys.ts): with upper case, punctuation
  // and g-z excluded, Secrets Manager draws from 0-9a-f only.
  ipHashKey: HEX_KEY,
  webhookSealKey: HEX_KEY,
};

/** Why each secret has no automatic rotation (cdk-nag AwsSolutions-SMG4). */
const noRotationReasons: Record<SecretKey, string> = {
  adminToken:
    'Rotated by an operator (put-secret-value); functions re-read it within 5 minutes, so no rotation Lambda is needed for a single static bearer token.',
  ipHashKey:
    "Keys the hash of shoppers' IPs: a new key makes later clicks of the same address hash differently, so clicks before and after the change can no longer be matched by address; it is rotated deliberately, not on a timer.",
  webhookSealKey:
    "Seals the stored webhook secrets: a new key needs every stored secret re-encrypted first (or merchants' webhooks stop verifying), so it is a planned operation, not a timer.",
};

export class Secrets extends Construct {
  private readonly byKey = new Map<SecretKey, EnvSecret>();

  constructor(scope: Construct, id: string) {
    super(scope, id);
    for (const key of Object.keys(secretSpecs) as SecretKey[]) {
      const spec = secretSpecs[key];
      const secret = new Secret(this, spec.id, {
        description: `creditlink: ${spec.description}`,
        generateSecretString: generators[key],
        // The retained tables hold data sealed or keyed with these values: deleting the stack must not
        // destroy the only way to read them.
        removalPolicy: RemovalPolicy.RETAIN,
      });
      // Replacing a secret regenerates its value (a new seal key loses every stored webhook secret),
      // so its logical id is pinned to the manifest's id, not to the construct path.
      (secret.node.defaultChild as CfnResource).overrideLogicalId(spec.id);
      Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason: noRotationReasons[key] });
      this.byKey.set(key, { secret, idEnvVar: spec.idEnvVar });
    }
  }

  /** The secret declared under `key` in the wiring manifest. */
  get(key: SecretKey): EnvSecret {
    const found = this.byKey.get(key);
    if (!found) throw new Error(`No secret "${key}" in the wiring manifest.`);
    return found;
  }
}
