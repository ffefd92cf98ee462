/**
 * The S3 buckets, one per `buckets` entry of the wiring manifest (lib/wiring.ts), plus the one bucket
 * their server access logs go to. Nothing in this file names a particular bucket. Functions are bound
 * to them by FunctionWithLogGroup.bindBucket.
 *
 * Every bucket is private (all four public-access blocks, ACLs disabled), encrypted at rest, refuses
 * requests without TLS, and is retained on stack deletion. The manifest's buckets are also versioned
 * (statements are financial records: an overwritten or deleted object stays recoverable as a
 * noncurrent version) and log every request to the access-log bucket.
 */
import { type CfnResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type BucketProps,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { type BucketKey, type BucketSpec, buckets as bucketSpecs } from '../wiring';

/** A bucket together with the variable through which functions learn its generated name. */
export interface EnvBucket {
  readonly bucket: Bucket;
  readonly envVar: string;
}

/** Logical id of the bucket that receives every bucket's server access logs. */
export const ACCESS_LOGS_BUCKET_ID = 'AccessLogsBucket';

/**
 * How long a noncurrent version (an overwritten or deleted object) stays recoverable. Current
 * versions never expire; this only bounds what accidental overwrites and deletions cost.
 */
export const NONCURRENT_VERSION_RETENTION = Duration.days(365);

/** Server access logs are the audit trail of who read or wrote a statement: kept for a year. */
export const ACCESS_LOG_RETENTION = Duration.days(365);

/** Multipart uploads that never completed are invisible but billed; they are dropped after this. */
const ABORT_INCOMPLETE_UPLOADS_AFTER = Duration.days(7);

/** What every bucket here has in common. */
const privateAndEncrypted = {
  blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
  // ACLs disabled: the bucket owner owns every object, and access is decided by policies alone.
  objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
  // SSE-S3: encrypted at rest with keys S3 manages, so readers and writers need no KMS permissions
  // (and it is the only encryption S3 can deliver server access logs into).
  encryption: BucketEncryption.S3_MANAGED,
  // A bucket policy denying every request not made over TLS (cdk-nag AwsSolutions-S10).
  enforceSSL: true,
  // No bucketName: CloudFormation generates one, so two stacks never collide; functions receive it
  // through the spec's envVar. Retained: deleting the stack must never delete what is in them.
  removalPolicy: RemovalPolicy.RETAIN,
} as const satisfies BucketProps;

export class Buckets extends Construct {
  /** Where S3 writes the server access logs of every manifest bucket (prefix: the bucket's id). */
  readonly accessLogs: Bucket;
  private readonly byKey = new Map<BucketKey, EnvBucket>();

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.accessLogs = new Bucket(this, ACCESS_LOGS_BUCKET_ID, {
      ...privateAndEncrypted,
      lifecycleRules: [
        {
          id: 'ExpireAccessLogs',
          expiration: ACCESS_LOG_RETENTION,
          abortIncompleteMultipartUploadAfter: ABORT_INCOMPLETE_UPLOADS_AFTER,
        },
      ],
    });
    pinLogicalId(this.accessLogs, ACCESS_LOGS_BUCKET_ID);
    // It does not log itself (that would log its own log deliveries in a loop). cdk-nag's
    // AwsSolutions-S1 accepts it as it is: a bucket that is another bucket's log destination.

    for (const [key, spec] of Object.entries(bucketSpecs) as Array<[BucketKey, BucketSpec]>) {
      this.byKey.set(key, { bucket: this.createBucket(spec), envVar: spec.envVar });
    }
  }

  /** The bucket declared under `key` in the wiring manifest. */
  get(key: BucketKey): EnvBucket {
    const found = this.byKey.get(key);
    if (!found) throw new Error(`No bucket "${key}" in the wiring manifest.`);
    return found;
  }

  all(): Array<[BucketKey, EnvBucket]> {
    return [...this.byKey.entries()];
  }

  private createBucket(spec: BucketSpec): Bucket {
    const bucket = new Bucket(this, spec.id, {
      ...privateAndEncrypted,
      // Also refuse TLS older than 1.2.
      minimumTLSVersion: 1.2,
      // Every overwrite or deletion keeps the previous object as a noncurrent version.
      versioned: true,
      lifecycleRules: [
        {
          id: 'NoncurrentVersions',
          noncurrentVersionExpiration: NONCURRENT_VERSION_RETENTION,
          // A delete marker left with no versions behind it is removed too.
          expiredObjectDeleteMarker: true,
          abortIncompleteMultipartUploadAfter: ABORT_INCOMPLETE_UPLOADS_AFTER,
        },
      ],
      // Who read or wrote which statement (cdk-nag AwsSolutions-S1). With the feature flag
      // @aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy, the logs bucket's policy lets S3's logging
      // service write there for this bucket only (no ACLs).
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: `${spec.id}/`,
    });
    // Like the tables: a bucket whose logical id changes is replaced, and the retained one would be
    // orphaned with its objects while an empty one takes its place. Moving this construct must not.
    pinLogicalId(bucket, spec.id);
    return bucket;
  }
}

function pinLogicalId(bucket: Bucket, logicalId: string): void {
  (bucket.node.defaultChild as CfnResource).overrideLogicalId(logicalId);
}
