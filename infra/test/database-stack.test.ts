import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES, ENVIRONMENT_SETTINGS } from '../lib/environment-settings.js';
import { resourcesOf, synthesizeEnvironment } from './support/synthesize-environment.js';

function instanceOf(env: (typeof ENVIRONMENT_NAMES)[number]) {
  const instances = resourcesOf(synthesizeEnvironment(env).database, 'AWS::RDS::DBInstance');
  expect(instances).toHaveLength(1);
  return instances[0][1];
}

describe.each(ENVIRONMENT_NAMES)('DatabaseStack (%s)', (env) => {
  const settings = ENVIRONMENT_SETTINGS[env];

  it('runs PostgreSQL 16, encrypted, private, with TLS forced by its parameter group', () => {
    const instance = instanceOf(env);
    expect(instance.Properties).toMatchObject({
      Engine: 'postgres',
      EngineVersion: '16',
      StorageEncrypted: true,
      PubliclyAccessible: false,
      DBName: 'shopflow',
      DBInstanceClass: `db.${settings.database.instanceType}`,
    });
    synthesizeEnvironment(env).database.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Family: 'postgres16',
      Parameters: Match.objectLike({ 'rds.force_ssl': '1' }),
    });
  });

  it('sizes, backs up and protects the instance as the environment says', () => {
    const instance = instanceOf(env);
    expect(instance.Properties.BackupRetentionPeriod).toBe(settings.database.backupRetentionDays);
    expect(instance.Properties.MultiAZ).toBe(settings.database.multiAz);
    expect(instance.Properties.DeletionProtection).toBe(settings.database.deletionProtection);
    expect(instance.Properties.AllocatedStorage).toBe(String(settings.database.allocatedStorageGiB));
    expect(instance.Properties.MaxAllocatedStorage).toBe(settings.database.maxAllocatedStorageGiB);
    expect(instance.DeletionPolicy).toBe(settings.database.removal === 'destroy' ? 'Delete' : 'Snapshot');
  });

  it('generates the credentials into Secrets Manager with a URL-safe password', () => {
    const { database } = synthesizeEnvironment(env);
    const secrets = resourcesOf(database, 'AWS::SecretsManager::Secret');
    expect(secrets).toHaveLength(1);
    const [, secret] = secrets[0];
    expect(secret.Properties.Name).toBe(`shopflow/${env}/database`);
    expect(secret.DeletionPolicy).toBe(settings.retention === 'destroy' ? 'Delete' : 'Retain');
    const generate = secret.Properties.GenerateSecretString;
    expect(generate.SecretStringTemplate).toBe(JSON.stringify({ username: 'shopflow' }));
    for (const character of ':/@?#%&+ ') expect(generate.ExcludeCharacters).toContain(character);
    // NOTE: the instance reads its master password from the secret; it is never in the template.
    expect(JSON.stringify(instanceOf(env).Properties.MasterUserPassword)).toContain('resolve:secretsmanager');
  });

  it('accepts PostgreSQL connections only from the tasks security group', () => {
    const { database, stacks } = synthesizeEnvironment(env);
    const ingress = resourcesOf(database, 'AWS::EC2::SecurityGroupIngress');
    expect(ingress).toHaveLength(1);
    const tasksGroup = stacks.database.getLogicalId(
      stacks.database.tasksSecurityGroup.node.defaultChild as any,
    );
    expect(ingress[0][1].Properties).toMatchObject({
      FromPort: 5432,
      ToPort: 5432,
      IpProtocol: 'tcp',
      SourceSecurityGroupId: { 'Fn::GetAtt': [tasksGroup, 'GroupId'] },
    });
    const databaseGroup = resourcesOf(database, 'AWS::EC2::SecurityGroup').find(([id]) =>
      id.startsWith('DatabaseSecurityGroup'),
    );
    expect(databaseGroup?.[1].Properties.SecurityGroupIngress).toBeUndefined();
  });

  it('lets the tasks out on HTTPS and to PostgreSQL only', () => {
    const { database } = synthesizeEnvironment(env);
    const tasks = resourcesOf(database, 'AWS::EC2::SecurityGroup').find(([id]) =>
      id.startsWith('TasksSecurityGroup'),
    );
    expect(tasks?.[1].Properties.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }),
    ]);
    database.hasResourceProperties('AWS::EC2::SecurityGroupEgress', { FromPort: 5432, ToPort: 5432 });
  });

  it('reaches S3 through a gateway endpoint and Secrets Manager, ECR, Logs and Kinesis through interface endpoints', () => {
    const { database } = synthesizeEnvironment(env);
    const services = resourcesOf(database, 'AWS::EC2::VPCEndpoint').map(([, endpoint]) => [
      JSON.stringify(endpoint.Properties.ServiceName).match(
        /\.(s3|secretsmanager|ecr\.api|ecr\.dkr|logs|kinesis-streams)"/,
      )?.[1],
      endpoint.Properties.VpcEndpointType,
    ]);
    expect(services.sort()).toEqual([
      ['ecr.api', 'Interface'],
      ['ecr.dkr', 'Interface'],
      ['kinesis-streams', 'Interface'],
      ['logs', 'Interface'],
      ['s3', 'Gateway'],
      ['secretsmanager', 'Interface'],
    ]);
  });

  it(`has ${settings.natGateways} NAT gateways`, () => {
    const { database } = synthesizeEnvironment(env);
    database.resourceCountIs('AWS::EC2::NatGateway', settings.natGateways);
    database.resourceCountIs('AWS::EC2::InternetGateway', settings.natGateways > 0 ? 1 : 0);
    const publicSubnets = resourcesOf(database, 'AWS::EC2::Subnet').filter(
      ([, subnet]) => subnet.Properties.MapPublicIpOnLaunch === true,
    );
    expect(publicSubnets).toHaveLength(settings.natGateways > 0 ? 2 : 0);
  });

  it('records rejected traffic in VPC flow logs', () => {
    synthesizeEnvironment(env).database.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'REJECT' });
  });
});
