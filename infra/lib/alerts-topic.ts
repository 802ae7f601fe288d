import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { EnvironmentSettings } from './environment-settings.js';
import { removalPolicyOf } from './removal-policy.js';

/** The AWS services that publish to the alerts topic. */
const PUBLISHERS = ['cloudwatch.amazonaws.com', 'events.amazonaws.com', 'budgets.amazonaws.com'];

/**
 * The SNS topic every alarm, task-failure event and budget notification goes to: encrypted with
 * a rotated customer-managed KMS key whose policy lets CloudWatch, EventBridge and AWS Budgets
 * publish, TLS-only, with an optional e-mail subscription.
 *
 * @example
 * const alerts = new AlertsTopic(this, 'Alerts', { settings, email: 'oncall@example.com' });
 * alarm.addAlarmAction(new actions.SnsAction(alerts.topic));
 */
export class AlertsTopic extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: { settings: EnvironmentSettings; email?: string }) {
    super(scope, id);
    const key = new kms.Key(this, 'Key', {
      description: `ShopFlow ${props.settings.name} alerts topic`,
      enableKeyRotation: true,
      removalPolicy: removalPolicyOf(props.settings.retention),
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowAlertPublishers',
        principals: PUBLISHERS.map((service) => new iam.ServicePrincipal(service)),
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: `ShopFlow ${props.settings.name} alerts`,
      masterKey: key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowBudgetsToPublish',
        principals: [new iam.ServicePrincipal('budgets.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
      }),
    );
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
  }
}
