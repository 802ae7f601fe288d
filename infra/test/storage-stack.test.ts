import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES, ENVIRONMENT_SETTINGS } from '../lib/environment-settings.js';
import { resourcesOf, synthesizeEnvironment } from './support/synthesize-environment.js';

function bucketWithRule(env: (typeof ENVIRONMENT_NAMES)[number], prefix: string) {
  const { storage } = synthesizeEnvironment(env);
  const found = resourcesOf(storage, 'AWS::S3::Bucket').filter(([, bucket]) =>
    bucket.Properties.LifecycleConfiguration.Rules.some((rule: any) => rule.Prefix === prefix),
  );
  expect(found).toHaveLength(1);
  return found[0];
}

describe.each(ENVIRONMENT_NAMES)('StorageStack (%s)', (env) => {
  const settings = ENVIRONMENT_SETTINGS[env];

  it('declares the Glue database of the lake tables, located at the lake prefix', () => {
    const { storage } = synthesizeEnvironment(env);
    const databases = resourcesOf(storage, 'AWS::Glue::Database');
    expect(databases).toHaveLength(1);
    const input = databases[0][1].Properties.DatabaseInput;
    expect(input.Name).toBe(`shopflow_${env}`);
    expect(JSON.stringify(input.LocationUri)).toContain('/lake/');
    storage.hasOutput('CatalogDatabaseName', { Value: `shopflow_${env}` });
  });

  it('has two buckets, versioned, with all public access blocked and ACLs disabled', () => {
    const { storage } = synthesizeEnvironment(env);
    const buckets = resourcesOf(storage, 'AWS::S3::Bucket');
    expect(buckets).toHaveLength(2);
    for (const [, bucket] of buckets) {
      expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties.OwnershipControls.Rules).toEqual([{ ObjectOwnership: 'BucketOwnerEnforced' }]);
      expect(bucket.Properties.Tags).toEqual(
        expect.arrayContaining([
          { Key: 'project', Value: 'shopflow' },
          { Key: 'shopflow:environment', Value: env },
        ]),
      );
    }
  });

  it('encrypts both buckets at rest (SSE-S3 in dev, SSE-KMS with a rotated key otherwise)', () => {
    const { storage } = synthesizeEnvironment(env);
    for (const [, bucket] of resourcesOf(storage, 'AWS::S3::Bucket')) {
      const rule = bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0];
      if (settings.bucketEncryption === 'kms') {
        expect(rule.ServerSideEncryptionByDefault.SSEAlgorithm).toBe('aws:kms');
        expect(rule.ServerSideEncryptionByDefault.KMSMasterKeyID).toBeDefined();
        expect(rule.BucketKeyEnabled).toBe(true);
      } else {
        expect(rule.ServerSideEncryptionByDefault).toEqual({ SSEAlgorithm: 'AES256' });
      }
    }
    const keys = resourcesOf(storage, 'AWS::KMS::Key');
    // NOTE: one key per bucket and one for the clickstream stream.
    expect(keys).toHaveLength(settings.bucketEncryption === 'kms' ? 3 : 0);
    for (const [, key] of keys) expect(key.Properties.EnableKeyRotation).toBe(true);
  });

  it('denies every request without TLS, and TLS older than 1.2, in both bucket policies', () => {
    const { storage } = synthesizeEnvironment(env);
    const policies = resourcesOf(storage, 'AWS::S3::BucketPolicy');
    expect(policies).toHaveLength(2);
    for (const [, policy] of policies) {
      const statements = policy.Properties.PolicyDocument.Statement;
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Principal: { AWS: '*' },
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
        }),
      );
    }
  });

  it('moves raw/ objects to Infrequent Access after 30 days and to Glacier after 90', () => {
    const [, landing] = bucketWithRule(env, 'raw/');
    const rule = landing.Properties.LifecycleConfiguration.Rules.find((r: any) => r.Prefix === 'raw/');
    expect(rule.Status).toBe('Enabled');
    expect(rule.Transitions).toEqual([
      { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
      { StorageClass: 'GLACIER', TransitionInDays: 90 },
    ]);
  });

  it('moves lake/ objects to Intelligent-Tiering after 30 days (never to Glacier: every run reads them)', () => {
    const [, lake] = bucketWithRule(env, 'lake/');
    const rule = lake.Properties.LifecycleConfiguration.Rules.find((r: any) => r.Prefix === 'lake/');
    expect(rule.Transitions).toEqual([{ StorageClass: 'INTELLIGENT_TIERING', TransitionInDays: 30 }]);
  });

  it(`expires noncurrent versions after ${settings.noncurrentVersionDays} days and aborts multipart uploads after 7`, () => {
    const { storage } = synthesizeEnvironment(env);
    for (const [, bucket] of resourcesOf(storage, 'AWS::S3::Bucket')) {
      const rules = bucket.Properties.LifecycleConfiguration.Rules;
      expect(rules).toContainEqual(
        expect.objectContaining({
          NoncurrentVersionExpiration: { NoncurrentDays: settings.noncurrentVersionDays },
          Status: 'Enabled',
        }),
      );
      expect(rules).toContainEqual(
        expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }),
      );
    }
  });

  it(
    settings.retention === 'destroy'
      ? 'deletes the buckets and their objects with the stack'
      : 'retains the buckets when the stack is deleted',
    () => {
      const { storage } = synthesizeEnvironment(env);
      for (const [, bucket] of resourcesOf(storage, 'AWS::S3::Bucket')) {
        expect(bucket.DeletionPolicy).toBe(settings.retention === 'destroy' ? 'Delete' : 'Retain');
      }
      storage.resourceCountIs('Custom::S3AutoDeleteObjects', settings.retention === 'destroy' ? 2 : 0);
    },
  );

  it('outputs both bucket names', () => {
    const { storage } = synthesizeEnvironment(env);
    storage.hasOutput('LandingBucketName', {
      Description: 'SHOPFLOW_LANDING_BUCKET',
      Value: Match.anyValue(),
    });
    storage.hasOutput('LakeBucketName', { Description: 'SHOPFLOW_LAKE_BUCKET', Value: Match.anyValue() });
  });
});
