import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { EnvironmentSettings } from './environment-settings.js';
import { removalPolicyOf } from './removal-policy.js';
import { DATABASE_SUBNETS, ShopflowVpc } from './shopflow-vpc.js';

/** Name of the PostgreSQL database holding the warehouse and the instance store. */
export const DATABASE_NAME = 'shopflow';
/** The master user of the generated credentials. */
export const DATABASE_USER = 'shopflow';
/** PostgreSQL's port. */
export const DATABASE_PORT = 5432;

// NOTE: the generated password goes into a postgres:// URL inside the container; leaving out every
// punctuation character keeps it URL-safe without escaping (30 letters and digits remain strong).
const PASSWORD_EXCLUDED_CHARACTERS = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~ ';

/** Props of {@link DatabaseStack}. */
export interface DatabaseStackProps extends StackProps {
  settings: EnvironmentSettings;
}

/**
 * The network and the RDS PostgreSQL 16 instance that holds the warehouse (`DATABASE_URL`) and
 * the instance store (`SHOPFLOW_INSTANCE_URL`, schema `shopflow_instance`). Storage is encrypted,
 * TLS is forced (`rds.force_ssl`), the credentials are generated into Secrets Manager
 * (`shopflow/<env>/database`), and only the tasks' security group may connect. Backups, Multi-AZ,
 * deletion protection and the removal policy follow the environment.
 *
 * @example
 * const database = new DatabaseStack(app, 'ShopFlow-prod-Database', { settings: ENVIRONMENT_SETTINGS.prod });
 * database.instance.dbInstanceEndpointAddress;
 */
export class DatabaseStack extends Stack {
  readonly vpc: ec2.Vpc;
  readonly instance: rds.DatabaseInstance;
  readonly secret: secretsmanager.ISecret;
  /** The security group of the ShopFlow tasks: HTTPS out, PostgreSQL to the database, nothing in. */
  readonly tasksSecurityGroup: ec2.SecurityGroup;
  readonly databaseSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: DatabaseStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const db = settings.database;
    this.vpc = new ShopflowVpc(this, 'Network', { settings }).vpc;

    this.databaseSecurityGroup = new ec2.SecurityGroup(this, 'DatabaseSecurityGroup', {
      vpc: this.vpc,
      description: `ShopFlow ${settings.name} PostgreSQL: reachable from the ShopFlow tasks only`,
      allowAllOutbound: false,
    });
    this.tasksSecurityGroup = new ec2.SecurityGroup(this, 'TasksSecurityGroup', {
      vpc: this.vpc,
      description: `ShopFlow ${settings.name} tasks: HTTPS and PostgreSQL out, nothing in`,
      allowAllOutbound: false,
    });
    this.tasksSecurityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      'HTTPS: S3, VPC endpoints, alert webhook',
    );
    this.tasksSecurityGroup.connections.allowTo(
      this.databaseSecurityGroup,
      ec2.Port.tcp(DATABASE_PORT),
      'PostgreSQL: warehouse and instance store',
    );

    const engine = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 });
    const instanceIdentifier = `shopflow-${settings.name}`;
    const retention = removalPolicyOf(settings.retention);
    // NOTE: the log group RDS exports to is created here (name fixed by RDS) so that its retention
    // is set without the log-retention custom resource.
    const postgresLogs = new logs.LogGroup(this, 'PostgresLogs', {
      logGroupName: `/aws/rds/instance/${instanceIdentifier}/postgresql`,
      retention: settings.logRetentionDays as logs.RetentionDays,
      removalPolicy: retention,
    });

    const secret = new rds.DatabaseSecret(this, 'Credentials', {
      username: DATABASE_USER,
      secretName: `shopflow/${settings.name}/database`,
      excludeCharacters: PASSWORD_EXCLUDED_CHARACTERS,
    });
    secret.applyRemovalPolicy(retention);

    this.instance = new rds.DatabaseInstance(this, 'Postgres', {
      instanceIdentifier,
      engine,
      instanceType: new ec2.InstanceType(db.instanceType),
      vpc: this.vpc,
      vpcSubnets: { subnetGroupName: DATABASE_SUBNETS },
      securityGroups: [this.databaseSecurityGroup],
      publiclyAccessible: false,
      databaseName: DATABASE_NAME,
      port: DATABASE_PORT,
      credentials: rds.Credentials.fromSecret(secret),
      storageEncrypted: true,
      storageType: rds.StorageType.GP3,
      allocatedStorage: db.allocatedStorageGiB,
      maxAllocatedStorage: db.maxAllocatedStorageGiB,
      multiAz: db.multiAz,
      backupRetention: Duration.days(db.backupRetentionDays),
      preferredBackupWindow: '01:00-01:30',
      preferredMaintenanceWindow: 'sun:03:00-sun:04:00',
      deletionProtection: db.deletionProtection,
      removalPolicy: db.removal === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.SNAPSHOT,
      deleteAutomatedBackups: db.removal === 'destroy',
      copyTagsToSnapshot: true,
      autoMinorVersionUpgrade: true,
      caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
      enablePerformanceInsights: db.performanceInsights,
      cloudwatchLogsExports: ['postgresql'],
      parameterGroup: new rds.ParameterGroup(this, 'Parameters', {
        engine,
        description: `ShopFlow ${settings.name}: TLS only, slow statements logged`,
        parameters: { 'rds.force_ssl': '1', log_min_duration_statement: '1000' },
      }),
    });
    this.instance.node.addDependency(postgresLogs);
    this.secret = this.instance.secret!;

    new CfnOutput(this, 'DatabaseEndpoint', { value: this.instance.dbInstanceEndpointAddress });
    new CfnOutput(this, 'DatabaseSecretName', {
      value: `shopflow/${settings.name}/database`,
      description: 'Secrets Manager secret with username, password, host, port and dbname',
    });
  }
}
