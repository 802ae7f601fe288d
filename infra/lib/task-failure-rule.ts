import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/**
 * An EventBridge rule that tells the alerts topic when a ShopFlow task of `cluster` stops with a
 * non-zero exit code (a failed `materialize` exits 1, bad configuration 2, a crash or Spot
 * interruption other codes) or fails to start (image pull, secret or network errors). This
 * catches failures that happen before ShopFlow can print its own alert metric.
 *
 * @example
 * new TaskFailureRule(this, 'TaskFailures', { cluster, topic });
 */
export class TaskFailureRule extends Construct {
  readonly rule: events.Rule;

  constructor(
    scope: Construct,
    id: string,
    props: { cluster: ecs.ICluster; topic: sns.ITopic; envName: string },
  ) {
    super(scope, id);
    this.rule = new events.Rule(this, 'Rule', {
      description: `ShopFlow ${props.envName}: a task stopped with a non-zero exit code or failed to start`,
      eventPattern: {
        source: ['aws.ecs'],
        detailType: ['ECS Task State Change'],
        detail: {
          clusterArn: [props.cluster.clusterArn],
          lastStatus: ['STOPPED'],
          $or: [{ containers: { exitCode: [{ 'anything-but': 0 }] } }, { stopCode: ['TaskFailedToStart'] }],
        },
      },
    });
    const field = (path: string) => events.EventField.fromPath(path);
    this.rule.addTarget(
      new targets.SnsTopic(props.topic, {
        message: events.RuleTargetInput.fromText(
          `ShopFlow ${props.envName}: task ${field('$.detail.taskArn')} (${field('$.detail.group')}) stopped: ` +
            `${field('$.detail.stoppedReason')} (stop code ${field('$.detail.stopCode')}). ` +
            'Runbook: docs/runbook.md#task-stopped',
        ),
      }),
    );
  }
}
