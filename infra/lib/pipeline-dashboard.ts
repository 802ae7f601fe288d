import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import type { EnvironmentSettings } from './environment-settings.js';
import { alertCount, alertsByType, runMetric, runMetricByAsset } from './shopflow-metrics.js';

/** Props of {@link PipelineDashboard}. */
export interface PipelineDashboardProps {
  settings: EnvironmentSettings;
  cluster: ecs.ICluster;
  database: rds.IDatabaseInstance;
  logGroup: logs.ILogGroup;
  alarms: cloudwatch.IAlarm[];
  /** The scheduled `materialize` task's family (Container Insights task metrics). */
  materializeFamily: string;
  daemonService?: ecs.FargateService;
  /** The clickstream: records in, consumer iterator age, throttling. */
  clickstream?: kinesis.IStream;
}

/**
 * The `ShopFlow-<env>` CloudWatch dashboard: alarm states; run and blocking-check failures;
 * `ShopFlowAlerts` by `AlertType`; freshness and tick failures; daemon and `materialize` task
 * CPU and memory; RDS CPU, connections and free storage; the clickstream (records in, consumer
 * iterator age, throttling); the latest error log lines.
 *
 * @example
 * new PipelineDashboard(this, 'Dashboard', { settings, cluster, database, logGroup, alarms, materializeFamily });
 */
export class PipelineDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: PipelineDashboardProps) {
    super(scope, id);
    const hour = Duration.hours(1);
    const fiveMinutes = Duration.minutes(5);

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `ShopFlow-${props.settings.name}`,
      defaultInterval: Duration.days(7),
    });

    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: props.alarms, width: 24, height: 4 }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Run and blocking-check failures (per hour)',
        left: [
          alertCount('run_failure', hour, 'Run failures'),
          alertCount('check_failure', hour, 'Check failures'),
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'ShopFlowAlerts by AlertType (per hour)',
        left: [alertsByType(hour)],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Freshness breaches and tick failures (per hour)',
        left: [
          alertCount('freshness_breach', hour, 'Freshness breaches'),
          alertCount('tick_failure', hour, 'Tick failures'),
        ],
        width: 12,
      }),
      new cloudwatch.SingleValueWidget({
        title: 'Alerts in the selected range',
        metrics: [
          alertCount('run_failure', hour, 'Run failures'),
          alertCount('check_failure', hour, 'Check failures'),
          alertCount('freshness_breach', hour, 'Freshness breaches'),
          alertCount('tick_failure', hour, 'Tick failures'),
        ],
        setPeriodToTimeRange: true,
        width: 12,
      }),
    );

    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Step duration by asset (max ms per hour)',
        left: [runMetricByAsset('StepDurationMs', 'Maximum', hour)],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Step duration ÷ trailing median, quarantined share (max per hour)',
        left: [runMetric('StepDurationRatio', cloudwatch.Stats.MAXIMUM, hour, 'Duration ÷ trailing median')],
        right: [runMetric('QuarantineShare', cloudwatch.Stats.MAXIMUM, hour, 'Quarantined share')],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Rows written and quarantined (per hour)',
        left: [
          runMetric('RowsWritten', cloudwatch.Stats.SUM, hour, 'Rows written'),
          runMetric('RowsQuarantined', cloudwatch.Stats.SUM, hour, 'Rows quarantined'),
        ],
        right: [runMetric('BytesWritten', cloudwatch.Stats.SUM, hour, 'Bytes written')],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Step failures, retries and check failures; run duration',
        left: [
          runMetric('StepFailures', cloudwatch.Stats.SUM, hour, 'Step failures'),
          runMetric('StepRetries', cloudwatch.Stats.SUM, hour, 'Retries'),
          runMetric('CheckFailures', cloudwatch.Stats.SUM, hour, 'Check failures'),
        ],
        right: [runMetric('RunDurationMs', cloudwatch.Stats.MAXIMUM, hour, 'Longest run (ms)')],
        width: 12,
      }),
    );

    const taskWidgets: cloudwatch.IWidget[] = [];
    if (props.daemonService) {
      taskWidgets.push(
        new cloudwatch.GraphWidget({
          title: 'Daemon task CPU and memory (%)',
          left: [
            props.daemonService.metricCpuUtilization({ period: fiveMinutes }),
            props.daemonService.metricMemoryUtilization({ period: fiveMinutes }),
          ],
          leftYAxis: { min: 0, max: 100 },
          width: 12,
        }),
      );
    }
    if (props.settings.containerInsights) {
      const task = (metricName: string) =>
        new cloudwatch.Metric({
          namespace: 'ECS/ContainerInsights',
          metricName,
          dimensionsMap: {
            ClusterName: props.cluster.clusterName,
            TaskDefinitionFamily: props.materializeFamily,
          },
          statistic: cloudwatch.Stats.MAXIMUM,
          period: fiveMinutes,
        });
      taskWidgets.push(
        new cloudwatch.GraphWidget({
          title: 'Materialize task CPU (units) and memory (MiB)',
          left: [task('CpuUtilized'), task('CpuReserved')],
          right: [task('MemoryUtilized'), task('MemoryReserved')],
          width: 12,
        }),
      );
    }
    if (taskWidgets.length > 0) this.dashboard.addWidgets(...taskWidgets);

    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'RDS CPU (%)',
        left: [props.database.metricCPUUtilization({ period: fiveMinutes })],
        leftYAxis: { min: 0, max: 100 },
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'RDS connections',
        left: [props.database.metricDatabaseConnections({ period: fiveMinutes })],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'RDS free storage (bytes)',
        left: [props.database.metricFreeStorageSpace({ period: fiveMinutes })],
        width: 8,
      }),
    );
    if (props.clickstream) {
      const stream = props.clickstream;
      this.dashboard.addWidgets(
        new cloudwatch.GraphWidget({
          title: 'Clickstream: records in and consumer iterator age',
          left: [stream.metricIncomingRecords({ statistic: cloudwatch.Stats.SUM, period: fiveMinutes })],
          right: [
            stream.metricGetRecordsIteratorAgeMilliseconds({
              statistic: cloudwatch.Stats.MAXIMUM,
              period: fiveMinutes,
            }),
          ],
          width: 12,
        }),
        new cloudwatch.GraphWidget({
          title: 'Clickstream: throttled writes and reads',
          left: [
            stream.metricWriteProvisionedThroughputExceeded({
              statistic: cloudwatch.Stats.SUM,
              period: fiveMinutes,
            }),
            stream.metricReadProvisionedThroughputExceeded({
              statistic: cloudwatch.Stats.SUM,
              period: fiveMinutes,
            }),
          ],
          width: 12,
        }),
      );
    }

    this.dashboard.addWidgets(
      new cloudwatch.LogQueryWidget({
        title: 'Latest errors (pino level ≥ 50)',
        logGroupNames: [props.logGroup.logGroupName],
        queryLines: [
          'fields @timestamp, @logStream, msg',
          'filter level >= 50',
          'sort @timestamp desc',
          'limit 50',
        ],
        width: 24,
        height: 6,
      }),
    );
  }
}
