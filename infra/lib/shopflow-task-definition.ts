import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CONTAINER_ENTRY_POINT } from './container-entry-point.js';
import type { TaskSize } from './environment-settings.js';

/** Props of {@link ShopflowTaskDefinition}. */
export interface ShopflowTaskDefinitionProps {
  family: string;
  size: TaskSize;
  image: ecs.ContainerImage;
  /** Arguments of `shopflow`, e.g. `['daemon', '--wait']`. */
  command: string[];
  /** Plain, non-secret settings. */
  environment: Record<string, string>;
  /** Values ECS reads from Secrets Manager when the task starts; never in the task definition. */
  secrets: Record<string, ecs.Secret>;
  taskRole: iam.IRole;
  executionRole: iam.IRole;
  logGroup: logs.ILogGroup;
  /** Log stream prefix: `<prefix>/shopflow/<task id>`. */
  streamPrefix: string;
}

/** The name of the ShopFlow container in every task definition. */
export const CONTAINER_NAME = 'shopflow';

/**
 * A Fargate (Linux, x86-64) task definition running one `shopflow` command in the `shopflow`
 * container, logging stdout and stderr (including the CloudWatch EMF metric lines) to `logGroup`.
 *
 * @example
 * new ShopflowTaskDefinition(this, 'Daemon', { family: 'shopflow-dev-daemon', command: ['daemon', '--wait'], … });
 */
export class ShopflowTaskDefinition extends Construct {
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;

  constructor(scope: Construct, id: string, props: ShopflowTaskDefinitionProps) {
    super(scope, id);
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      family: props.family,
      cpu: props.size.cpu,
      memoryLimitMiB: props.size.memoryMiB,
      ephemeralStorageGiB: props.size.ephemeralStorageGiB > 20 ? props.size.ephemeralStorageGiB : undefined,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
      taskRole: props.taskRole,
      executionRole: props.executionRole,
    });
    this.container = this.taskDefinition.addContainer(CONTAINER_NAME, {
      image: props.image,
      entryPoint: [...CONTAINER_ENTRY_POINT],
      command: props.command,
      environment: props.environment,
      secrets: props.secrets,
      essential: true,
      // NOTE: 120 s is Fargate's maximum; a daemon or run that gets SIGTERM finishes its current
      // step's bookkeeping and releases its lease and locks within it.
      stopTimeout: Duration.seconds(120),
      // NOTE: blocking mode (the default) so that no alert metric line is ever dropped.
      logging: ecs.LogDrivers.awsLogs({ logGroup: props.logGroup, streamPrefix: props.streamPrefix }),
    });
  }
}
