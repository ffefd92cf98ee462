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

/**
 * How each secret's value is generated. Keyed by SecretKey, so a secret added to the specs without a
 * generation rule here is a compile error rather than a silently weak default.
 */
const generators: Record<SecretKey, SecretStringGenerator> = {
  // Pasted into `Authorization: Bearer ...` by operators: no punctuation keeps it shell- and
  // header-safe; 48 alphanumerics are about 285 bits.
  adminToken: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
  // Input keying material for HKDF (functions/common/config/keys.ts); 64 alphanumerics are about
  // 381 bits, more than the 256-bit keys derived from it.
  masterKey: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
};

/** Why each secret has no automatic rotation (cdk-nag AwsSolutions-SMG4). */
const noRotationReasons: Record<SecretKey, string> = {
  adminToken:
    'Rotated by an operator (put-secret-value); functions re-read it within 5 minutes, so no rotation Lambda is needed for a single static bearer token.',
  masterKey:
    'Key material from which the IP-hash key and the webhook-secret encryption key are derived: rotating it would make stored webhook secrets undecryptable and break IP-hash continuity, so it needs a planned re-encryption, not a timer.',
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
        // The retained tables hold data encrypted under keys derived from the master key: deleting
        // the stack must not destroy the only way to read them.
        removalPolicy: RemovalPolicy.RETAIN,
      });
      // Replacing a secret regenerates its value (a new master key loses every stored webhook
      // secret), so its logical id is pinned to the manifest's id, not to the construct path.
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
