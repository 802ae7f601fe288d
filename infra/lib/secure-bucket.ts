import { Duration } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { EnvironmentSettings } from './environment-settings.js';
import { removalPolicyOf } from './removal-policy.js';

/** What a {@link SecureBucket} holds and how its objects age. */
export interface SecureBucketProps {
  settings: EnvironmentSettings;
  /** What the bucket is for (the KMS key's description). */
  purpose: string;
  /** The key prefix the application writes under, e.g. `raw/`. */
  prefix: string;
  /** Storage-class transitions of current objects under {@link prefix}. */
  transitions: s3.Transition[];
}

/**
 * An S3 bucket with ShopFlow's baseline: versioning, encryption at rest (SSE-S3, or SSE-KMS with
 * a rotated customer-managed key and S3 bucket keys), all public access blocked, ACLs disabled,
 * TLS 1.2+ enforced by the bucket policy, and lifecycle rules that tier current objects under one
 * prefix, expire noncurrent versions after the environment's `noncurrentVersionDays` and abort
 * incomplete multipart uploads after 7 days. In an environment with `retention: 'destroy'` the
 * bucket and its objects are deleted with the stack.
 *
 * @example
 * const landing = new SecureBucket(this, 'Landing', {
 *   settings, purpose: 'ShopFlow raw landing zone', prefix: 'raw/',
 *   transitions: [{ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) }],
 * });
 * landing.bucket.bucketName;
 */
export class SecureBucket extends Construct {
  readonly bucket: s3.Bucket;
  /** The customer-managed key, when the environment encrypts with KMS. */
  readonly encryptionKey?: kms.Key;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    const { settings } = props;
    const removalPolicy = removalPolicyOf(settings.retention);

    if (settings.bucketEncryption === 'kms') {
      this.encryptionKey = new kms.Key(this, 'Key', {
        description: `${props.purpose} (${settings.name})`,
        enableKeyRotation: true,
        removalPolicy,
      });
    }

    this.bucket = new s3.Bucket(this, 'Bucket', {
      versioned: true,
      encryption: this.encryptionKey ? s3.BucketEncryption.KMS : s3.BucketEncryption.S3_MANAGED,
      encryptionKey: this.encryptionKey,
      bucketKeyEnabled: this.encryptionKey !== undefined,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      removalPolicy,
      autoDeleteObjects: settings.retention === 'destroy',
      lifecycleRules: [
        { id: 'tier-current-objects', prefix: props.prefix, transitions: props.transitions },
        {
          id: 'expire-noncurrent-versions',
          noncurrentVersionExpiration: Duration.days(settings.noncurrentVersionDays),
          expiredObjectDeleteMarker: true,
        },
        { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
    });
  }
}
