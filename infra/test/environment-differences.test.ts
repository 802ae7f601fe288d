import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES, type EnvironmentName } from '../lib/environment-settings.js';
import { resourcesOf, synthesizeEnvironment } from './support/synthesize-environment.js';

/** One value per environment, read from its synthesized templates. */
function perEnvironment<T>(read: (env: EnvironmentName) => T): Record<EnvironmentName, T> {
  return Object.fromEntries(ENVIRONMENT_NAMES.map((env) => [env, read(env)])) as Record<EnvironmentName, T>;
}

const database = (env: EnvironmentName) =>
  resourcesOf(synthesizeEnvironment(env).database, 'AWS::RDS::DBInstance')[0][1];

// The documented differences between dev, staging and prod, side by side.
describe('environment differences', () => {
  it('protects the database from deletion and runs it Multi-AZ in prod only', () => {
    expect(perEnvironment((env) => database(env).Properties.DeletionProtection)).toEqual({
      dev: false,
      staging: false,
      prod: true,
    });
    expect(perEnvironment((env) => database(env).Properties.MultiAZ)).toEqual({
      dev: false,
      staging: false,
      prod: true,
    });
    expect(perEnvironment((env) => database(env).Properties.StorageEncrypted)).toEqual({
      dev: true,
      staging: true,
      prod: true,
    });
  });

  it('keeps backups longer and snapshots the database on delete outside dev', () => {
    expect(perEnvironment((env) => database(env).Properties.BackupRetentionPeriod)).toEqual({
      dev: 1,
      staging: 7,
      prod: 30,
    });
    expect(perEnvironment((env) => database(env).DeletionPolicy)).toEqual({
      dev: 'Delete',
      staging: 'Snapshot',
      prod: 'Snapshot',
    });
  });

  it('has no NAT gateway in dev', () => {
    expect(
      perEnvironment(
        (env) => resourcesOf(synthesizeEnvironment(env).database, 'AWS::EC2::NatGateway').length,
      ),
    ).toEqual({ dev: 0, staging: 1, prod: 2 });
  });

  it('uses Fargate Spot for the scheduled run outside prod', () => {
    expect(
      perEnvironment(
        (env) =>
          resourcesOf(synthesizeEnvironment(env).pipeline, 'AWS::Scheduler::Schedule')[0][1].Properties.Target
            .EcsParameters.CapacityProviderStrategy[0].CapacityProvider,
      ),
    ).toEqual({ dev: 'FARGATE_SPOT', staging: 'FARGATE_SPOT', prod: 'FARGATE' });
  });

  it('retains buckets and logs outside dev, and keeps logs longer', () => {
    expect(
      perEnvironment((env) =>
        resourcesOf(synthesizeEnvironment(env).storage, 'AWS::S3::Bucket').map(([, b]) => b.DeletionPolicy),
      ),
    ).toEqual({ dev: ['Delete', 'Delete'], staging: ['Retain', 'Retain'], prod: ['Retain', 'Retain'] });
    expect(
      perEnvironment(
        (env) =>
          resourcesOf(synthesizeEnvironment(env).pipeline, 'AWS::Logs::LogGroup')[0][1].Properties
            .RetentionInDays,
      ),
    ).toEqual({ dev: 7, staging: 30, prod: 365 });
  });

  it('encrypts the buckets with KMS outside dev', () => {
    expect(
      perEnvironment((env) =>
        resourcesOf(synthesizeEnvironment(env).storage, 'AWS::S3::Bucket').map(
          ([, b]) =>
            b.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault
              .SSEAlgorithm,
        ),
      ),
    ).toEqual({ dev: ['AES256', 'AES256'], staging: ['aws:kms', 'aws:kms'], prod: ['aws:kms', 'aws:kms'] });
  });
});
