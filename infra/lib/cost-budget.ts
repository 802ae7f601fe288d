import * as budgets from 'aws-cdk-lib/aws-budgets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { EnvironmentSettings } from './environment-settings.js';

/** The cost allocation tag every resource carries (`user:shopflow:environment` in AWS Budgets). */
export const ENVIRONMENT_TAG = 'shopflow:environment';

/**
 * A monthly AWS Budgets cost budget for one environment: the costs of resources tagged
 * `shopflow:environment=<env>` (activate that cost allocation tag in the billing console), with
 * notifications to the alerts topic at 80 % of actual and 100 % of forecast spend.
 *
 * @example
 * new CostBudget(this, 'Budget', { settings, topic }); // settings.monthlyBudgetUsd > 0
 */
export class CostBudget extends Construct {
  constructor(scope: Construct, id: string, props: { settings: EnvironmentSettings; topic: sns.ITopic }) {
    super(scope, id);
    const subscribers = [{ subscriptionType: 'SNS', address: props.topic.topicArn }];
    new budgets.CfnBudget(this, 'Budget', {
      budget: {
        budgetName: `ShopFlow-${props.settings.name}-monthly`,
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        budgetLimit: { amount: props.settings.monthlyBudgetUsd, unit: 'USD' },
        costFilters: { TagKeyValue: [`user:${ENVIRONMENT_TAG}$${props.settings.name}`] },
      },
      notificationsWithSubscribers: [
        {
          notification: {
            notificationType: 'ACTUAL',
            comparisonOperator: 'GREATER_THAN',
            threshold: 80,
            thresholdType: 'PERCENTAGE',
          },
          subscribers,
        },
        {
          notification: {
            notificationType: 'FORECASTED',
            comparisonOperator: 'GREATER_THAN',
            threshold: 100,
            thresholdType: 'PERCENTAGE',
          },
          subscribers,
        },
      ],
    });
  }
}
