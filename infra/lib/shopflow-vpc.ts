import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { EnvironmentSettings } from './environment-settings.js';
import { removalPolicyOf } from './removal-policy.js';

/** Subnet group of the Fargate tasks (isolated without NAT, private with egress otherwise). */
export const TASK_SUBNETS = 'tasks';
/** Subnet group of the database (always isolated). */
export const DATABASE_SUBNETS = 'database';

/**
 * The VPC: two AZs, the database in isolated subnets, the tasks in their own subnets, and VPC
 * endpoints so that the tasks reach S3 (gateway), Secrets Manager, ECR, CloudWatch Logs and
 * Kinesis Data Streams (interface) without the internet. With `natGateways: 0` (dev) nothing in the VPC can reach the
 * internet at all; otherwise the task subnets get NAT egress (the alert webhook is on the
 * internet). Rejected traffic is recorded in VPC flow logs.
 *
 * @example
 * const network = new ShopflowVpc(this, 'Network', { settings });
 * network.vpc.selectSubnets({ subnetGroupName: TASK_SUBNETS });
 */
export class ShopflowVpc extends Construct {
  readonly vpc: ec2.Vpc;

  constructor(scope: Construct, id: string, props: { settings: EnvironmentSettings }) {
    super(scope, id);
    const { settings } = props;
    const egress = settings.natGateways > 0;

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.40.0.0/16'),
      maxAzs: 2,
      natGateways: settings.natGateways,
      subnetConfiguration: [
        ...(egress ? [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }] : []),
        {
          name: TASK_SUBNETS,
          subnetType: egress ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED,
          cidrMask: 22,
        },
        { name: DATABASE_SUBNETS, subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3, subnets: [{ subnetGroupName: TASK_SUBNETS }] },
      },
    });

    const endpoints: Record<string, ec2.InterfaceVpcEndpointAwsService> = {
      SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      EcrApi: ec2.InterfaceVpcEndpointAwsService.ECR,
      EcrDocker: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
      Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
      // NOTE: the daemon's stream consumer reads the clickstream without the internet.
      Kinesis: ec2.InterfaceVpcEndpointAwsService.KINESIS_STREAMS,
    };
    for (const [name, service] of Object.entries(endpoints)) {
      this.vpc.addInterfaceEndpoint(name, {
        service,
        subnets: { subnetGroupName: TASK_SUBNETS },
        privateDnsEnabled: true,
      });
    }

    const flowLogs = new logs.LogGroup(this, 'FlowLogs', {
      retention: settings.logRetentionDays as logs.RetentionDays,
      removalPolicy: removalPolicyOf(settings.retention),
    });
    this.vpc.addFlowLog('RejectedTraffic', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
      trafficType: ec2.FlowLogTrafficType.REJECT,
    });
  }
}
