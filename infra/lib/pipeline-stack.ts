import { CfnOutput, Duration, Stack, type StackProps, TimeZone } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as rds from 'aws-cdk-lib/aws-rds';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { AlertsTopic } from './alerts-topic.js';
import { grantPrefixReadWrite } from './bucket-prefix-access.js';
import { containerImageOf } from './container-image.js';
import { CostBudget } from './cost-budget.js';
import { DATABASE_NAME, DATABASE_PORT } from './database-stack.js';
import type { InfraContext } from './infra-context.js';
import { PipelineAlarms } from './pipeline-alarms.js';
import { PipelineDashboard } from './pipeline-dashboard.js';
import { removalPolicyOf } from './removal-policy.js';
import { ShopflowTaskDefinition } from './shopflow-task-definition.js';
import { TASK_SUBNETS } from './shopflow-vpc.js';
import { LAKE_PREFIX, LANDING_PREFIX } from './storage-stack.js';
import { TaskFailureRule } from './task-failure-rule.js';
import { WorkerService } from './worker-service.js';

/** PostgreSQL schema of the instance store tables (the warehouse uses `shopflow`). */
export const INSTANCE_SCHEMA = 'shopflow_instance';

/** Props of {@link PipelineStack}: the deployment context and what the other two stacks made. */
export interface PipelineStackProps extends StackProps {
  context: InfraContext;
  landingBucket: s3.IBucket;
  lakeBucket: s3.IBucket;
  /** The clickstream the daemon's consumer reads (and producers write). */
  clickstream: kinesis.IStream;
  vpc: ec2.IVpc;
  database: rds.IDatabaseInstance;
  databaseSecret: secretsmanager.ISecret;
  tasksSecurityGroup: ec2.ISecurityGroup;
}

/**
 * ShopFlow on ECS Fargate: the `shopflow daemon` service, which runs the definitions' schedules
 * (the nightly pipeline and the roll-ups) and the landing sensor in its own process and sends
 * freshness and run-failure alerts; a reconciliation `shopflow materialize` task started by
 * EventBridge Scheduler (weekly by default, on Fargate Spot where the environment allows), which
 * materializes whatever is still stale (failed partitions, assets whose code version changed);
 * their log group, a least-privilege task role, secrets injected from Secrets Manager, the alerts
 * topic, alarms, the dashboard, a rule for failed tasks and an optional monthly budget.
 *
 * @example
 * new PipelineStack(app, 'ShopFlow-dev-Pipeline', { context, landingBucket, lakeBucket, vpc, database, databaseSecret, tasksSecurityGroup });
 */
export class PipelineStack extends Stack {
  readonly cluster: ecs.Cluster;
  readonly taskRole: iam.Role;
  readonly executionRole: iam.Role;
  readonly daemonService?: ecs.FargateService;
  readonly materializeTask: ecs.FargateTaskDefinition;
  readonly daemonTask: ecs.FargateTaskDefinition;
  readonly logGroup: logs.LogGroup;
  readonly alarms: PipelineAlarms;
  readonly workerTask: ecs.FargateTaskDefinition;
  readonly workers: WorkerService;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { context } = props;
    const { settings } = context;
    const env = settings.name;
    const retention = removalPolicyOf(settings.retention);

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      clusterName: `shopflow-${env}`,
      vpc: props.vpc,
      enableFargateCapacityProviders: true,
      containerInsightsV2: settings.containerInsights
        ? ecs.ContainerInsights.ENABLED
        : ecs.ContainerInsights.DISABLED,
    });

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/shopflow/${env}/pipeline`,
      retention: settings.logRetentionDays as logs.RetentionDays,
      removalPolicy: retention,
    });

    this.taskRole = new iam.Role(this, 'TaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: `ShopFlow ${env} tasks: read/write raw/ of the landing bucket and lake/ of the lake bucket`,
    });
    grantPrefixReadWrite(this.taskRole, props.landingBucket, LANDING_PREFIX);
    grantPrefixReadWrite(this.taskRole, props.lakeBucket, LAKE_PREFIX);
    props.clickstream.grantReadWrite(this.taskRole);

    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: `ShopFlow ${env} task execution: pull the image, write logs, read the task secrets`,
    });

    const webhookSecret = secretsmanager.Secret.fromSecretNameV2(
      this,
      'WebhookSecret',
      `shopflow/${env}/webhook-url`,
    );
    // NOTE: the key of the pseudonyms personal data is shown with (created by hand like the webhook
    // URL, at least 16 characters); never in the environment in clear.
    const maskingSecret = secretsmanager.Secret.fromSecretNameV2(
      this,
      'MaskingKeySecret',
      `shopflow/${env}/masking-key`,
    );
    const secrets: Record<string, ecs.Secret> = {
      SHOPFLOW_DB_USERNAME: ecs.Secret.fromSecretsManager(props.databaseSecret, 'username'),
      SHOPFLOW_DB_PASSWORD: ecs.Secret.fromSecretsManager(props.databaseSecret, 'password'),
      SHOPFLOW_WEBHOOK_URL: ecs.Secret.fromSecretsManager(webhookSecret),
      SHOPFLOW_MASKING_KEY: ecs.Secret.fromSecretsManager(maskingSecret),
    };
    const environment: Record<string, string> = {
      SHOPFLOW_ENV: 'prod',
      SHOPFLOW_DEPLOYMENT: env,
      SHOPFLOW_LANDING_BUCKET: props.landingBucket.bucketName,
      SHOPFLOW_LAKE_BUCKET: props.lakeBucket.bucketName,
      SHOPFLOW_STREAM_NAME: props.clickstream.streamName,
      AWS_REGION: this.region,
      SHOPFLOW_INSTANCE_SCHEMA: INSTANCE_SCHEMA,
      SHOPFLOW_LOG_LEVEL: 'info',
      SHOPFLOW_DB_HOST: props.database.dbInstanceEndpointAddress,
      SHOPFLOW_DB_PORT: String(DATABASE_PORT),
      SHOPFLOW_DB_NAME: DATABASE_NAME,
      SHOPFLOW_DB_CA_BUNDLE: context.rdsCaBundlePath,
      // NOTE: for `executor.runLauncher: { type: ecs }`: a task of the materialize task definition per run.
      SHOPFLOW_ECS_CLUSTER: this.cluster.clusterName,
      SHOPFLOW_RUN_TASK_DEFINITION: `shopflow-${env}-materialize`,
      SHOPFLOW_RUN_SUBNETS: props.vpc.selectSubnets({ subnetGroupName: TASK_SUBNETS }).subnetIds.join(','),
      SHOPFLOW_RUN_SECURITY_GROUPS: props.tasksSecurityGroup.securityGroupId,
    };
    const image = containerImageOf(this, context.image);
    const common = {
      image,
      environment,
      secrets,
      taskRole: this.taskRole,
      executionRole: this.executionRole,
      logGroup: this.logGroup,
    };

    this.daemonTask = new ShopflowTaskDefinition(this, 'DaemonTask', {
      ...common,
      family: `shopflow-${env}-daemon`,
      size: settings.daemonTask,
      command: ['daemon', '--wait'],
      streamPrefix: 'daemon',
    }).taskDefinition;

    this.materializeTask = new ShopflowTaskDefinition(this, 'MaterializeTask', {
      ...common,
      family: `shopflow-${env}-materialize`,
      size: settings.materializeTask,
      command: [
        'materialize',
        ...(context.materializeSelection ? [context.materializeSelection] : []),
        '--json',
      ],
      streamPrefix: 'materialize',
    }).taskDefinition;

    const taskSubnets = { subnetGroupName: TASK_SUBNETS };
    // NOTE: what `executor.runLauncher: { type: ecs }` in prod.yaml needs to run each run in its own
    // task of the materialize task definition (environment above): the rights to start it (with the
    // run-id tag), watch it, stop it when its run is canceled before it started, and hand it the
    // task's roles.
    const runTaskDefinitions = Stack.of(this).formatArn({
      service: 'ecs',
      resource: 'task-definition',
      resourceName: `${this.materializeTask.family}:*`,
    });
    this.taskRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'RunLauncherRunTask',
        actions: ['ecs:RunTask'],
        resources: [runTaskDefinitions],
        conditions: { ArnEquals: { 'ecs:cluster': this.cluster.clusterArn } },
      }),
    );
    this.taskRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'RunLauncherWatchTasks',
        actions: ['ecs:DescribeTasks', 'ecs:StopTask', 'ecs:TagResource'],
        resources: [
          Stack.of(this).formatArn({
            service: 'ecs',
            resource: 'task',
            resourceName: `shopflow-${env}/*`,
          }),
        ],
      }),
    );
    this.taskRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'RunLauncherPassRoles',
        actions: ['iam:PassRole'],
        resources: [this.taskRole.roleArn, this.executionRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
    );
    if (context.daemonCount > 0) {
      this.daemonService = new ecs.FargateService(this, 'DaemonService', {
        serviceName: `shopflow-${env}-daemon`,
        cluster: this.cluster,
        taskDefinition: this.daemonTask,
        desiredCount: context.daemonCount,
        // NOTE: one daemon per instance (it holds a lease): stop the old task before starting the new.
        minHealthyPercent: 0,
        maxHealthyPercent: 100,
        circuitBreaker: { enable: true, rollback: true },
        vpcSubnets: taskSubnets,
        securityGroups: [props.tasksSecurityGroup],
        assignPublicIp: false,
        propagateTags: ecs.PropagatedTagSource.SERVICE,
        enableECSManagedTags: true,
      });
    }

    new scheduler.Schedule(this, 'MaterializeSchedule', {
      description: `ShopFlow ${env} reconciliation: shopflow materialize${context.materializeSelection ? ` ${context.materializeSelection}` : ''}`,
      schedule: scheduler.ScheduleExpression.expression(
        context.materializeSchedule,
        TimeZone.of(context.scheduleTimeZone),
      ),
      target: new schedulerTargets.EcsRunFargateTask(this.cluster, {
        taskDefinition: this.materializeTask,
        capacityProviderStrategies: [
          { capacityProvider: settings.materializeOnSpot ? 'FARGATE_SPOT' : 'FARGATE', weight: 1 },
        ],
        vpcSubnets: taskSubnets,
        securityGroups: [props.tasksSecurityGroup],
        propagateTags: true,
        enableEcsManagedTags: true,
        retryAttempts: 3,
        maxEventAge: Duration.hours(2),
      }),
    });

    // NOTE: workers for runs started with the queue executor (`executor.type: queue`), with the
    // daemon's role, secrets, network and image.
    this.workerTask = new ShopflowTaskDefinition(this, 'WorkerTask', {
      ...common,
      family: `shopflow-${env}-worker`,
      size: settings.workers.task,
      command: ['worker'],
      streamPrefix: 'worker',
    }).taskDefinition;
    this.workers = new WorkerService(this, 'Workers', {
      envName: env,
      cluster: this.cluster,
      taskDefinition: this.workerTask,
      settings: settings.workers,
      subnets: taskSubnets,
      securityGroups: [props.tasksSecurityGroup],
    });

    const alerts = new AlertsTopic(this, 'Alerts', { settings, email: context.alarmEmail });
    this.alarms = new PipelineAlarms(this, 'Alarms', {
      settings,
      topic: alerts.topic,
      database: props.database,
      daemonService: this.daemonService,
      clickstream: props.clickstream,
    });
    new PipelineDashboard(this, 'Dashboard', {
      settings,
      cluster: this.cluster,
      database: props.database,
      logGroup: this.logGroup,
      alarms: this.alarms.all,
      materializeFamily: this.materializeTask.family,
      daemonService: this.daemonService,
      clickstream: props.clickstream,
    });
    new TaskFailureRule(this, 'TaskFailures', { cluster: this.cluster, topic: alerts.topic, envName: env });
    if (settings.monthlyBudgetUsd > 0) new CostBudget(this, 'Budget', { settings, topic: alerts.topic });

    new CfnOutput(this, 'ClusterName', { value: this.cluster.clusterName });
    new CfnOutput(this, 'MaterializeTaskDefinition', {
      value: this.materializeTask.family,
      description: 'run one-off shopflow commands with aws ecs run-task and a command override',
    });
    new CfnOutput(this, 'TaskSubnets', {
      value: props.vpc.selectSubnets(taskSubnets).subnetIds.join(','),
    });
    new CfnOutput(this, 'TasksSecurityGroup', { value: props.tasksSecurityGroup.securityGroupId });
    new CfnOutput(this, 'AlertsTopicArn', { value: alerts.topic.topicArn });
    new CfnOutput(this, 'LogGroupName', { value: this.logGroup.logGroupName });
  }
}
