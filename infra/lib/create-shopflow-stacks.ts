import { type App, Tags } from 'aws-cdk-lib';
import { ENVIRONMENT_TAG } from './cost-budget.js';
import { DatabaseStack } from './database-stack.js';
import type { InfraContext } from './infra-context.js';
import { PipelineStack } from './pipeline-stack.js';
import { StorageStack } from './storage-stack.js';

/** The three stacks of one environment. */
export interface ShopflowStacks {
  storage: StorageStack;
  database: DatabaseStack;
  pipeline: PipelineStack;
}

/**
 * Adds one environment's stacks to `app`: `ShopFlow-<env>-Storage`, `ShopFlow-<env>-Database`
 * and `ShopFlow-<env>-Pipeline` (which depends on the other two), every resource tagged
 * `project=shopflow` and `shopflow:environment=<env>`. The stacks are environment-agnostic: they
 * deploy to the account and region of the credentials `cdk deploy` runs with, and synthesis needs
 * no AWS access.
 *
 * @example
 * const app = new App();
 * createShopflowStacks(app, readInfraContext(app.node));
 */
export function createShopflowStacks(app: App, context: InfraContext): ShopflowStacks {
  const env = context.settings.name;
  const prefix = `ShopFlow-${env}`;
  const description = (what: string) => `ShopFlow ${env}: ${what}`;

  const storage = new StorageStack(app, `${prefix}-Storage`, {
    settings: context.settings,
    description: description('S3 landing and lake buckets, clickstream Kinesis stream'),
    terminationProtection: env === 'prod',
  });
  const database = new DatabaseStack(app, `${prefix}-Database`, {
    settings: context.settings,
    description: description('VPC, endpoints and RDS PostgreSQL'),
    terminationProtection: env === 'prod',
  });
  const pipeline = new PipelineStack(app, `${prefix}-Pipeline`, {
    context,
    description: description('ECS Fargate daemon and scheduled materialize, alarms, dashboard'),
    landingBucket: storage.landingBucket,
    lakeBucket: storage.lakeBucket,
    clickstream: storage.clickstream,
    vpc: database.vpc,
    database: database.instance,
    databaseSecret: database.secret,
    tasksSecurityGroup: database.tasksSecurityGroup,
  });

  for (const stack of [storage, database, pipeline]) {
    Tags.of(stack).add('project', 'shopflow');
    Tags.of(stack).add(ENVIRONMENT_TAG, env);
  }
  return { storage, database, pipeline };
}
