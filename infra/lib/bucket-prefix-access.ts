import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';

/** The object actions ShopFlow's object store and lake use (multipart uploads, copies, versioned deletes). */
export const OBJECT_ACTIONS = [
  's3:GetObject',
  's3:GetObjectVersion',
  's3:PutObject',
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:AbortMultipartUpload',
  's3:ListMultipartUploadParts',
];

/**
 * Lets `role` read and write the objects under `prefix` of `bucket` and nothing else of it:
 * object actions on `bucket/prefix*` only, version listing only for keys under `prefix`, plus
 * `ListBucket` and `GetBucketVersioning` on the bucket itself (with the bucket's KMS key, if
 * any, for encryption and decryption).
 *
 * @example
 * grantPrefixReadWrite(taskRole, landingBucket, 'raw/');
 */
export function grantPrefixReadWrite(role: iam.IRole, bucket: s3.IBucket, prefix: string): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: OBJECT_ACTIONS,
      resources: [bucket.arnForObjects(`${prefix}*`)],
    }),
  );
  // NOTE: ListBucket is not narrowed by `s3:prefix`: without it on the whole bucket, S3 answers a
  // read of a missing key with 403 instead of 404, and the object store treats 404 as "absent".
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['s3:ListBucket', 's3:GetBucketVersioning', 's3:GetBucketLocation'],
      resources: [bucket.bucketArn],
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['s3:ListBucketVersions'],
      resources: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } },
    }),
  );
  bucket.encryptionKey?.grantEncryptDecrypt(role);
}
