import { Duration } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import type { WorkerSettings } from './environment-settings.js';
import { METRIC_NAMESPACE } from './shopflow-metrics.js';

/** Props of {@link WorkerService}. */
export interface WorkerServiceProps {
  envName: string;
  cluster: ecs.ICluster;
  /** The `shopflow worker` task definition: the daemon's role, secrets, network and image. */
  taskDefinition: ecs.FargateTaskDefinition;
  settings: WorkerSettings;
  subnets: ec2.SubnetSelection;
  securityGroups: ec2.ISecurityGroup[];
  /** The queue whose depth it scales on (`executor.queue`, default `steps`). */
  queue?: string;
}

/**
 * The ECS service of `shopflow worker` tasks that take the steps of queued runs, scaling on the
 * queue's depth: the workers write `QueuedSteps` (dimension `Queue`) every minute as an EMF line
 * (`metrics.emf`), and the service adds a task when more than 20 steps wait, three when more than
 * 200 do, and removes one when none waits — between `settings.min` (at least 1, so the metric keeps
 * being written) and `settings.max`.
 *
 * @example
 * new WorkerService(this, 'Workers', { envName, cluster, taskDefinition, settings: settings.workers, subnets, securityGroups });
 */
export class WorkerService extends Construct {
  readonly service: ecs.FargateService;
  readonly queueDepth: cloudwatch.Metric;

  constructor(scope: Construct, id: string, props: WorkerServiceProps) {
    super(scope, id);
    const { settings } = props;
    this.service = new ecs.FargateService(this, 'Service', {
      serviceName: `shopflow-${props.envName}-workers`,
      cluster: props.cluster,
      taskDefinition: props.taskDefinition,
      desiredCount: settings.min,
      circuitBreaker: { enable: true, rollback: true },
      vpcSubnets: props.subnets,
      securityGroups: props.securityGroups,
      assignPublicIp: false,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      enableECSManagedTags: true,
    });
    this.queueDepth = new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE,
      metricName: 'QueuedSteps',
      dimensionsMap: { Queue: props.queue ?? 'steps' },
      statistic: cloudwatch.Stats.MAXIMUM,
      period: Duration.minutes(1),
      label: 'Steps waiting for a worker',
    });
    this.service
      .autoScaleTaskCount({ minCapacity: Math.max(1, settings.min), maxCapacity: settings.max })
      .scaleOnMetric('QueueDepth', {
        metric: this.queueDepth,
        adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
        scalingSteps: [
          { upper: 0, change: -1 },
          { lower: 20, change: +1 },
          { lower: 200, change: +3 },
        ],
        cooldown: Duration.minutes(2),
        evaluationPeriods: 2,
      });
  }
}
