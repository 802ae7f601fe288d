import type { CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES, ENVIRONMENT_SETTINGS } from '../lib/environment-settings.js';
import {
  resourcesOf,
  type SynthesizedEnvironment,
  synthesizeEnvironment,
} from './support/synthesize-environment.js';

/** Every statement of the inline policies attached to `role` (by its logical id). */
function statementsOf(synthesized: SynthesizedEnvironment, role: { node: { defaultChild?: unknown } }) {
  const id = synthesized.stacks.pipeline.getLogicalId(role.node.defaultChild as CfnElement);
  return resourcesOf(synthesized.pipeline, 'AWS::IAM::Policy')
    .filter(([, policy]) => policy.Properties.Roles.some((r: any) => r.Ref === id))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as any[]);
}

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

function containersOf(synthesized: SynthesizedEnvironment) {
  return resourcesOf(synthesized.pipeline, 'AWS::ECS::TaskDefinition').map(([, task]) => ({
    family: task.Properties.Family as string,
    cpu: task.Properties.Cpu as string,
    memory: task.Properties.Memory as string,
    container: task.Properties.ContainerDefinitions[0],
  }));
}

/** The metrics an alarm watches (`MetricStat.Metric` of each query, or its single metric). */
function watchedMetrics(alarm: any): any[] {
  if (!alarm.Metrics)
    return [{ Namespace: alarm.Namespace, MetricName: alarm.MetricName, Dimensions: alarm.Dimensions }];
  return alarm.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric);
}

/** The dashboard's widgets, with every CloudFormation token replaced by `TOKEN`. */
function widgetsOf(dashboard: any): any[] {
  const body = dashboard.Properties.DashboardBody;
  const parts: unknown[] = typeof body === 'string' ? [body] : body['Fn::Join'][1];
  const text = parts.map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
  return JSON.parse(text).widgets;
}

/** The alarms on-call gets, by name (the unnamed alarms of scaling policies are left out). */
function alarmsOf(synthesized: SynthesizedEnvironment): Map<string, any> {
  return new Map(
    resourcesOf(synthesized.pipeline, 'AWS::CloudWatch::Alarm')
      .filter(([, alarm]) => alarm.Properties.AlarmName !== undefined)
      .map(([, alarm]) => [alarm.Properties.AlarmName, alarm.Properties]),
  );
}

describe.each(ENVIRONMENT_NAMES)('PipelineStack (%s)', (env) => {
  const settings = ENVIRONMENT_SETTINGS[env];

  it('gives the task role S3 object access under raw/ and lake/ only, and no wildcard resources', () => {
    const synthesized = synthesizeEnvironment(env);
    const statements = statementsOf(synthesized, synthesized.stacks.pipeline.taskRole);
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      const actions = asList<string>(statement.Action);
      const resources = asList<unknown>(statement.Resource);
      for (const resource of resources) expect(resource).not.toBe('*');
      expect(actions.some((action) => action === 's3:*' || action === '*')).toBe(false);
      if (actions.some((action) => /^s3:(Get|Put|Delete)Object|^s3:AbortMultipartUpload/.test(action))) {
        const suffixes = resources.map(
          (resource) => JSON.stringify(resource).match(/"(\/[a-z]+\/\*)"\]\]\}$/)?.[1],
        );
        expect(suffixes.sort()).toEqual(['/lake/*', '/raw/*']);
      }
      if (actions.includes('s3:ListBucketVersions')) {
        expect(Object.values(statement.Condition.StringLike['s3:prefix'])).toHaveLength(1);
      }
    }
    const actions = statements.flatMap((statement) => asList<string>(statement.Action));
    expect(actions).toEqual(expect.arrayContaining(['s3:GetObject', 's3:PutObject', 's3:ListBucket']));
    expect(actions.filter((action) => action.startsWith('secretsmanager:'))).toEqual([]);
    expect(actions.some((action) => action.startsWith('kms:'))).toBe(settings.bucketEncryption === 'kms');
  });

  it('lets the tasks launch one materialize task per run (the ECS run launcher), in this cluster only', () => {
    const synthesized = synthesizeEnvironment(env);
    const { pipeline } = synthesized.stacks;
    const statements = statementsOf(synthesized, pipeline.taskRole);
    const bySid = new Map(statements.map((statement) => [statement.Sid, statement]));
    const clusterArn = {
      'Fn::GetAtt': [pipeline.getLogicalId(pipeline.cluster.node.defaultChild as CfnElement), 'Arn'],
    };
    expect(bySid.get('RunLauncherRunTask')).toMatchObject({
      Action: 'ecs:RunTask',
      Condition: { ArnEquals: { 'ecs:cluster': clusterArn } },
    });
    expect(JSON.stringify(bySid.get('RunLauncherRunTask')!.Resource)).toContain(
      `:task-definition/shopflow-${env}-materialize:*`,
    );
    expect(bySid.get('RunLauncherWatchTasks')).toMatchObject({
      Action: ['ecs:DescribeTasks', 'ecs:StopTask', 'ecs:TagResource'],
    });
    expect(JSON.stringify(bySid.get('RunLauncherWatchTasks')!.Resource)).toContain(`:task/shopflow-${env}/*`);
    const passRole = bySid.get('RunLauncherPassRoles')!;
    expect(passRole).toMatchObject({
      Action: 'iam:PassRole',
      Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    });
    expect(asList(passRole.Resource)).toHaveLength(2);
    // Where to start it, in every task's environment (prod.yaml's commented runLauncher reads them).
    for (const { family, container } of containersOf(synthesized)) {
      const names = new Map(
        (container.Environment as Array<{ Name: string; Value: unknown }>).map((e) => [e.Name, e.Value]),
      );
      expect(names.get('SHOPFLOW_RUN_TASK_DEFINITION'), family).toBe(`shopflow-${env}-materialize`);
      for (const name of ['SHOPFLOW_ECS_CLUSTER', 'SHOPFLOW_RUN_SUBNETS', 'SHOPFLOW_RUN_SECURITY_GROUPS']) {
        expect(names.has(name), `${family}: ${name}`).toBe(true);
      }
    }
    expect(containersOf(synthesized).map((c) => c.family)).toContain(`shopflow-${env}-materialize`);
  });

  it('lets only the execution role read the three task secrets', () => {
    const synthesized = synthesizeEnvironment(env);
    const statements = statementsOf(synthesized, synthesized.stacks.pipeline.executionRole);
    const secretStatements = statements.filter((statement) =>
      asList<string>(statement.Action).includes('secretsmanager:GetSecretValue'),
    );
    expect(secretStatements).toHaveLength(1);
    const resources = asList<unknown>(secretStatements[0].Resource).map((r) => JSON.stringify(r));
    expect(resources).toHaveLength(3);
    const databaseSecret = synthesized.stacks.database.secret.node.defaultChild as CfnElement;
    const databaseSecretId = synthesized.stacks.database.getLogicalId(databaseSecret);
    expect(resources.some((r) => r.includes('Fn::GetStackOutput') && r.includes(databaseSecretId))).toBe(
      true,
    );
    expect(resources.some((r) => r.includes(`:secret:shopflow/${env}/webhook-url-??????`))).toBe(true);
    expect(resources.some((r) => r.includes(`:secret:shopflow/${env}/masking-key-??????`))).toBe(true);
  });

  it('injects the database password, the webhook URL and the masking key as secrets, never as plain environment values', () => {
    const containers = containersOf(synthesizeEnvironment(env));
    expect(containers.map((c) => c.family).sort()).toEqual([
      `shopflow-${env}-daemon`,
      `shopflow-${env}-materialize`,
      `shopflow-${env}-worker`,
    ]);
    for (const { container } of containers) {
      const secretNames = container.Secrets.map((s: any) => s.Name).sort();
      expect(secretNames).toEqual([
        'SHOPFLOW_DB_PASSWORD',
        'SHOPFLOW_DB_USERNAME',
        'SHOPFLOW_MASKING_KEY',
        'SHOPFLOW_WEBHOOK_URL',
      ]);
      const environment = container.Environment as { Name: string; Value: unknown }[];
      for (const { Name, Value } of environment) {
        expect(Name).not.toMatch(
          /PASSWORD|SECRET|WEBHOOK|TOKEN|DATABASE_URL|INSTANCE_URL|MASKING_KEY|ALLOW_UNMASK/,
        );
        expect(JSON.stringify(Value)).not.toMatch(/postgres:\/\/|hooks\.slack/);
      }
      expect(environment.map((e) => e.Name)).toEqual(
        expect.arrayContaining([
          'SHOPFLOW_ENV',
          'SHOPFLOW_LANDING_BUCKET',
          'SHOPFLOW_LAKE_BUCKET',
          'SHOPFLOW_DB_HOST',
        ]),
      );
      expect(container.EntryPoint.slice(0, 2)).toEqual(['sh', '-c']);
    }
  });

  it('sizes the tasks per environment and runs the daemon and materialize commands', () => {
    const containers = containersOf(synthesizeEnvironment(env));
    const daemon = containers.find((c) => c.family.endsWith('-daemon'))!;
    const materialize = containers.find((c) => c.family.endsWith('-materialize'))!;
    expect(daemon.container.Command).toEqual(['daemon', '--wait']);
    expect(materialize.container.Command).toEqual(['materialize', '--json']);
    expect([daemon.cpu, daemon.memory]).toEqual([
      String(settings.daemonTask.cpu),
      String(settings.daemonTask.memoryMiB),
    ]);
    expect([materialize.cpu, materialize.memory]).toEqual([
      String(settings.materializeTask.cpu),
      String(settings.materializeTask.memoryMiB),
    ]);
    for (const { container } of containers) {
      expect(container.LogConfiguration.LogDriver).toBe('awslogs');
    }
  });

  it(`keeps the container logs for ${settings.logRetentionDays} days`, () => {
    synthesizeEnvironment(env).pipeline.hasResource('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: `/shopflow/${env}/pipeline`, RetentionInDays: settings.logRetentionDays },
      DeletionPolicy: settings.retention === 'destroy' ? 'Delete' : 'Retain',
    });
  });

  it(`runs ${settings.workers.min} to ${settings.workers.max} workers, scaling on the queue depth the workers publish`, () => {
    const synthesized = synthesizeEnvironment(env);
    const { pipeline } = synthesized;
    pipeline.hasResourceProperties('AWS::ECS::Service', {
      ServiceName: `shopflow-${env}-workers`,
      DesiredCount: settings.workers.min,
    });
    const worker = containersOf(synthesized).find((c) => c.family === `shopflow-${env}-worker`)!;
    expect(worker.container.Command).toEqual(['worker']);
    pipeline.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: Math.max(1, settings.workers.min),
      MaxCapacity: settings.workers.max,
      ScalableDimension: 'ecs:service:DesiredCount',
    });
    pipeline.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'StepScaling',
      StepScalingPolicyConfiguration: { AdjustmentType: 'ChangeInCapacity' },
    });
    // The alarms behind the steps watch the workers' own metric.
    const depth = resourcesOf(pipeline, 'AWS::CloudWatch::Alarm')
      .flatMap(([, alarm]) => watchedMetrics(alarm.Properties))
      .filter((metric) => metric.MetricName === 'QueuedSteps');
    expect(depth.length).toBeGreaterThanOrEqual(2);
    for (const metric of depth) {
      expect(metric).toMatchObject({
        Namespace: 'ShopFlow',
        Dimensions: [{ Name: 'Queue', Value: 'steps' }],
      });
    }
  });

  it('runs one daemon, stopping the old task before starting a new one', () => {
    synthesizeEnvironment(env).pipeline.hasResourceProperties('AWS::ECS::Service', {
      DesiredCount: 1,
      DeploymentConfiguration: Match.objectLike({
        MinimumHealthyPercent: 0,
        MaximumPercent: 100,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      }),
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
    });
  });

  it(`schedules the weekly reconciliation materialize on ${settings.materializeOnSpot ? 'Fargate Spot' : 'on-demand Fargate'}`, () => {
    synthesizeEnvironment(env).pipeline.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 5 ? * SUN *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      Target: Match.objectLike({
        EcsParameters: Match.objectLike({
          CapacityProviderStrategy: [
            { CapacityProvider: settings.materializeOnSpot ? 'FARGATE_SPOT' : 'FARGATE', Weight: 1 },
          ],
        }),
        RetryPolicy: { MaximumEventAgeInSeconds: 7200, MaximumRetryAttempts: 3 },
      }),
    });
  });

  it('alarms on run failures, blocking checks, freshness, ticks, the daemon and the database, to the alerts topic', () => {
    const alarms = alarmsOf(synthesizeEnvironment(env));
    const name = (suffix: string) => `ShopFlow-${env}-${suffix}`;
    expect([...alarms.keys()].sort()).toEqual(
      [
        'BlockingCheckFailures',
        'DaemonNotRunning',
        'DatabaseCpuHigh',
        'DatabaseFreeStorageLow',
        'FreshnessBreaches',
        'QuarantineShareHigh',
        'RunFailures',
        'StepDurationDegraded',
        'StreamIteratorAge',
        'TickFailures',
      ].map(name),
    );
    for (const alarm of alarms.values()) {
      expect(alarm.AlarmActions).toHaveLength(1);
      expect(JSON.stringify(alarm.AlarmActions)).toContain('AlertsTopic');
      expect(alarm.AlarmDescription).toContain('docs/runbook.md#');
    }

    const runs = alarms.get(name('RunFailures'));
    expect(runs).toMatchObject({
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 24,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
    });
    const metrics = runs.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat);
    expect(metrics).toContainEqual(
      expect.objectContaining({
        Metric: {
          Namespace: 'ShopFlow',
          MetricName: 'ShopFlowAlerts',
          Dimensions: [{ Name: 'AlertType', Value: 'run_failure' }],
        },
        Period: 3600,
        Stat: 'Sum',
      }),
    );
    expect(metrics).toContainEqual(
      expect.objectContaining({
        Metric: {
          Namespace: 'ShopFlow',
          MetricName: 'RunFailures',
          Dimensions: [{ Name: 'AlertKind', Value: 'run_failure' }],
        },
      }),
    );

    const freshness = alarms.get(name('FreshnessBreaches'));
    expect(freshness).toMatchObject({ Threshold: 1, EvaluationPeriods: 1 });
    expect(watchedMetrics(freshness)).toEqual([
      {
        Namespace: 'ShopFlow',
        MetricName: 'ShopFlowAlerts',
        Dimensions: [{ Name: 'AlertType', Value: 'freshness_breach' }],
      },
      {
        Namespace: 'ShopFlow',
        MetricName: 'FreshnessBreaches',
        Dimensions: [{ Name: 'AlertKind', Value: 'freshness_breach' }],
      },
    ]);
    expect(watchedMetrics(alarms.get(name('TickFailures')))).toContainEqual({
      Namespace: 'ShopFlow',
      MetricName: 'ShopFlowAlerts',
      Dimensions: [{ Name: 'AlertType', Value: 'tick_failure' }],
    });
    const cpu = alarms.get(name('DatabaseCpuHigh'));
    expect(cpu).toMatchObject({
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 80,
      EvaluationPeriods: 3,
    });
    expect(watchedMetrics(cpu)).toEqual([
      expect.objectContaining({ Namespace: 'AWS/RDS', MetricName: 'CPUUtilization' }),
    ]);
    const storage = alarms.get(name('DatabaseFreeStorageLow'));
    expect(storage).toMatchObject({
      ComparisonOperator: 'LessThanThreshold',
      Threshold: settings.database.freeStorageAlarmGiB * 1024 ** 3,
    });
    expect(watchedMetrics(storage)).toEqual([expect.objectContaining({ MetricName: 'FreeStorageSpace' })]);
    const slow = alarms.get(name('StepDurationDegraded'));
    expect(slow).toMatchObject({
      Threshold: settings.runAlarms.durationRatio,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    // The aggregate over every asset (no dimension), at its maximum per hour.
    expect(watchedMetrics(slow)).toEqual([{ Namespace: 'ShopFlow', MetricName: 'StepDurationRatio' }]);
    expect(slow.Metrics[0].MetricStat.Stat).toBe('Maximum');
    const quarantine = alarms.get(name('QuarantineShareHigh'));
    expect(quarantine.Threshold).toBe(settings.runAlarms.quarantineShare);
    expect(watchedMetrics(quarantine)).toEqual([{ Namespace: 'ShopFlow', MetricName: 'QuarantineShare' }]);
    const daemon = alarms.get(name('DaemonNotRunning'));
    expect(daemon).toMatchObject({ ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching' });
    expect(JSON.stringify(daemon)).toContain('SampleCount');
    expect(watchedMetrics(daemon)).toEqual([
      expect.objectContaining({ Namespace: 'AWS/ECS', MetricName: 'CPUUtilization' }),
    ]);
  });

  it('has a dashboard with failures, ShopFlowAlerts by AlertType, task and RDS metrics', () => {
    const dashboards = resourcesOf(synthesizeEnvironment(env).pipeline, 'AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const [, dashboard] = dashboards[0];
    expect(dashboard.Properties.DashboardName).toBe(`ShopFlow-${env}`);
    const widgets = widgetsOf(dashboard);
    const titles = widgets.map((widget) => widget.properties.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        'Alarms',
        'Run and blocking-check failures (per hour)',
        'ShopFlowAlerts by AlertType (per hour)',
        'Daemon task CPU and memory (%)',
        'RDS CPU (%)',
        'RDS connections',
        'RDS free storage (bytes)',
        'Step duration by asset (max ms per hour)',
        'Step duration ÷ trailing median, quarantined share (max per hour)',
        'Rows written and quarantined (per hour)',
      ]),
    );

    const widget = (title: string) => JSON.stringify(widgets.find((w) => w.properties.title === title));
    expect(widgets.find((w) => w.type === 'alarm').properties.alarms).toHaveLength(10);
    expect(widget('Step duration by asset (max ms per hour)')).toContain(
      `SEARCH('{ShopFlow,AssetKey} MetricName=\\"StepDurationMs\\"', 'Maximum', 3600)`,
    );
    expect(widget('ShopFlowAlerts by AlertType (per hour)')).toContain(
      `SEARCH('{ShopFlow,AlertType} MetricName=\\"ShopFlowAlerts\\"', 'Sum', 3600)`,
    );
    expect(widget('Daemon task CPU and memory (%)')).toContain('MemoryUtilization');
    expect(widget('RDS connections')).toContain('DatabaseConnections');
    expect(titles.includes('Materialize task CPU (units) and memory (MiB)')).toBe(settings.containerInsights);
  });

  it('tells the alerts topic when a task stops with a non-zero exit code or fails to start', () => {
    const { pipeline } = synthesizeEnvironment(env);
    pipeline.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        source: ['aws.ecs'],
        'detail-type': ['ECS Task State Change'],
        detail: Match.objectLike({
          lastStatus: ['STOPPED'],
          $or: [{ containers: { exitCode: [{ 'anything-but': 0 }] } }, { stopCode: ['TaskFailedToStart'] }],
        }),
      }),
    });
  });

  it('encrypts the alerts topic with a rotated key that CloudWatch, EventBridge and Budgets may use', () => {
    const { pipeline } = synthesizeEnvironment(env);
    pipeline.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    const keys = resourcesOf(pipeline, 'AWS::KMS::Key');
    expect(keys).toHaveLength(1);
    expect(keys[0][1].Properties.EnableKeyRotation).toBe(true);
    const publishers = keys[0][1].Properties.KeyPolicy.Statement.find(
      (s: any) => s.Sid === 'AllowAlertPublishers',
    );
    expect(publishers.Principal.Service.sort()).toEqual([
      'budgets.amazonaws.com',
      'cloudwatch.amazonaws.com',
      'events.amazonaws.com',
    ]);
  });

  it(`has a monthly budget of ${settings.monthlyBudgetUsd} USD for the environment's tagged resources`, () => {
    synthesizeEnvironment(env).pipeline.hasResourceProperties('AWS::Budgets::Budget', {
      Budget: Match.objectLike({
        BudgetLimit: { Amount: settings.monthlyBudgetUsd, Unit: 'USD' },
        TimeUnit: 'MONTHLY',
        CostFilters: { TagKeyValue: [`user:shopflow:environment$${env}`] },
      }),
    });
  });
});

describe('PipelineStack context', () => {
  it('creates neither the daemon service nor its alarm with -c daemonCount=0', () => {
    const synthesized = synthesizeEnvironment('dev', { daemonCount: '0' });
    // NOTE: the worker service stays.
    synthesized.pipeline.resourceCountIs('AWS::ECS::Service', 1);
    synthesized.pipeline.hasResourceProperties('AWS::ECS::Service', { ServiceName: 'shopflow-dev-workers' });
    expect(alarmsOf(synthesized).has('ShopFlow-dev-DaemonNotRunning')).toBe(false);
  });

  it('creates no budget with -c monthlyBudgetUsd=0', () => {
    synthesizeEnvironment('staging', { monthlyBudgetUsd: '0' }).pipeline.resourceCountIs(
      'AWS::Budgets::Budget',
      0,
    );
  });

  it('pulls an ECR image given by URI, granting pull on that repository only', () => {
    const synthesized = synthesizeEnvironment('prod', {
      imageUri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shopflow:v1.4.0',
      materializeSelection: 'group:gold',
      materializeSchedule: 'cron(30 4 * * ? *)',
      scheduleTimeZone: 'Europe/Berlin',
    });
    for (const { container } of containersOf(synthesized)) {
      expect(JSON.stringify(container.Image)).toContain('123456789012.dkr.ecr.eu-west-1.');
      expect(JSON.stringify(container.Image)).toContain('/shopflow:v1.4.0');
    }
    const pull = statementsOf(synthesized, synthesized.stacks.pipeline.executionRole).find((s) =>
      asList<string>(s.Action).includes('ecr:BatchGetImage'),
    );
    expect(JSON.stringify(pull.Resource)).toContain(':ecr:eu-west-1:123456789012:repository/shopflow');
    const materialize = containersOf(synthesized).find((c) => c.family.endsWith('-materialize'))!;
    expect(materialize.container.Command).toEqual(['materialize', 'group:gold', '--json']);
    synthesized.pipeline.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(30 4 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
    });
  });

  it('subscribes the alarm e-mail address to the alerts topic', () => {
    synthesizeEnvironment('dev', { alarmEmail: 'oncall@example.com' }).pipeline.hasResourceProperties(
      'AWS::SNS::Subscription',
      { Protocol: 'email', Endpoint: 'oncall@example.com' },
    );
  });
});
