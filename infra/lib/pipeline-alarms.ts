import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as rds from 'aws-cdk-lib/aws-rds';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { EnvironmentSettings } from './environment-settings.js';
import { alertCount, runMetric } from './shopflow-metrics.js';

/** Props of {@link PipelineAlarms}. */
export interface PipelineAlarmsProps {
  settings: EnvironmentSettings;
  topic: sns.ITopic;
  database: rds.IDatabaseInstance;
  /** The daemon service; undefined when the daemon is not run (no "daemon not running" alarm). */
  daemonService?: ecs.FargateService;
  /** The clickstream; its consumer's iterator age is watched. */
  clickstream?: kinesis.IStream;
}

const GIB = 1024 ** 3;

/**
 * The alarms on-call acts on (`docs/runbook.md` has one section per alarm), each sending its
 * ALARM and OK transitions to the alerts topic:
 *
 * - `RunFailures`: a ShopFlow run failed (≥ 1 in the last 24 hours);
 * - `BlockingCheckFailures`: an `error` check failed (≥ 1 in the last 24 hours);
 * - `FreshnessBreaches`: an asset is older than its freshness policy allows (≥ 1 in an hour);
 * - `TickFailures`: the daemon could not evaluate a schedule or sensor (≥ 1 in an hour);
 * - `DaemonNotRunning`: the daemon service reported no CPU sample for 15 minutes;
 * - `DatabaseCpuHigh`: RDS CPU above 80 % for 15 minutes;
 * - `DatabaseFreeStorageLow`: RDS free storage below the environment's threshold;
 * - `StreamIteratorAge`: the clickstream consumer is further behind the newest record than the
 *   environment allows (maximum `GetRecords.IteratorAgeMilliseconds` for 15 minutes);
 * - `StepDurationDegraded`: a step took more than `runAlarms.durationRatio` times the median of
 *   its asset's previous durations (`StepDurationRatio` of the EMF lines);
 * - `QuarantineShareHigh`: a step quarantined more than `runAlarms.quarantineShare` of the rows it
 *   read (`QuarantineShare` of the EMF lines).
 *
 * @example
 * const alarms = new PipelineAlarms(this, 'Alarms', { settings, topic, database, daemonService });
 * alarms.all.length;
 */
export class PipelineAlarms extends Construct {
  readonly all: cloudwatch.Alarm[] = [];
  private readonly namePrefix: string;

  constructor(scope: Construct, id: string, props: PipelineAlarmsProps) {
    super(scope, id);
    const { settings } = props;
    const hour = Duration.hours(1);
    this.namePrefix = `ShopFlow-${settings.name}-`;

    const dayOfHours = { evaluationPeriods: 24, datapointsToAlarm: 1 };
    this.add('RunFailures', {
      metric: alertCount('run_failure', hour, 'Run failures'),
      threshold: 1,
      ...dayOfHours,
      alarmDescription: 'A ShopFlow run failed in the last 24 hours. Runbook: docs/runbook.md#runfailures',
    });
    this.add('BlockingCheckFailures', {
      metric: alertCount('check_failure', hour, 'Blocking check failures'),
      threshold: 1,
      ...dayOfHours,
      alarmDescription:
        'A blocking (error) data-quality check failed in the last 24 hours; downstream steps of that partition did not run. Runbook: docs/runbook.md#blockingcheckfailures',
    });
    this.add('FreshnessBreaches', {
      metric: alertCount('freshness_breach', hour, 'Freshness breaches'),
      threshold: 1,
      evaluationPeriods: 1,
      alarmDescription:
        'An asset is older than its freshness policy allows. Runbook: docs/runbook.md#freshnessbreaches',
    });
    this.add('TickFailures', {
      metric: alertCount('tick_failure', hour, 'Tick failures'),
      threshold: 1,
      evaluationPeriods: 1,
      alarmDescription:
        'The daemon could not evaluate a schedule or sensor tick. Runbook: docs/runbook.md#tickfailures',
    });
    if (props.daemonService) {
      this.add(
        'DaemonNotRunning',
        {
          metric: props.daemonService.metricCpuUtilization({
            statistic: cloudwatch.Stats.SAMPLE_COUNT,
            period: Duration.minutes(5),
          }),
          threshold: 1,
          evaluationPeriods: 3,
          comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          alarmDescription:
            'No daemon task has been running for 15 minutes: the nightly schedules, the landing sensor and freshness monitoring are stopped. Runbook: docs/runbook.md#daemonnotrunning',
        },
        cloudwatch.TreatMissingData.BREACHING,
      );
    }
    this.add('DatabaseCpuHigh', {
      metric: props.database.metricCPUUtilization({ period: Duration.minutes(5) }),
      threshold: 80,
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      alarmDescription: 'RDS CPU above 80 % for 15 minutes. Runbook: docs/runbook.md#databasecpuhigh',
    });
    this.add('DatabaseFreeStorageLow', {
      metric: props.database.metricFreeStorageSpace({ period: Duration.minutes(5) }),
      threshold: settings.database.freeStorageAlarmGiB * GIB,
      evaluationPeriods: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      alarmDescription: `RDS free storage below ${settings.database.freeStorageAlarmGiB} GiB. Runbook: docs/runbook.md#databasefreestoragelow`,
    });
    if (props.clickstream) {
      const minutes = settings.stream.iteratorAgeAlarmMinutes;
      this.add('StreamIteratorAge', {
        metric: props.clickstream.metricGetRecordsIteratorAgeMilliseconds({
          statistic: cloudwatch.Stats.MAXIMUM,
          period: Duration.minutes(5),
        }),
        threshold: minutes * 60_000,
        evaluationPeriods: 3,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        alarmDescription: `The clickstream consumer is more than ${minutes} min behind the newest record for 15 minutes: the live dashboard and the stream tables lag, and records older than the stream's retention would be lost. Runbook: docs/runbook.md#streamiteratorage`,
      });
    }

    const { durationRatio, quarantineShare } = settings.runAlarms;
    this.add('StepDurationDegraded', {
      metric: runMetric(
        'StepDurationRatio',
        cloudwatch.Stats.MAXIMUM,
        hour,
        'Step duration ÷ trailing median',
      ),
      threshold: durationRatio,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      alarmDescription: `A step took more than ${durationRatio}× the median of its asset's previous durations: the pipeline slowed down. Runbook: docs/runbook.md#stepdurationdegraded`,
    });
    this.add('QuarantineShareHigh', {
      metric: runMetric('QuarantineShare', cloudwatch.Stats.MAXIMUM, hour, 'Share of rows quarantined'),
      threshold: quarantineShare,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      alarmDescription: `A step quarantined more than ${quarantineShare * 100} % of the rows it read: a source delivers bad data. Runbook: docs/runbook.md#quarantinesharehigh`,
    });

    for (const alarm of this.all) {
      alarm.addAlarmAction(new actions.SnsAction(props.topic));
      alarm.addOkAction(new actions.SnsAction(props.topic));
    }
  }

  private add(
    name: string,
    props: Omit<cloudwatch.AlarmProps, 'alarmName'>,
    missing: cloudwatch.TreatMissingData = cloudwatch.TreatMissingData.NOT_BREACHING,
  ): void {
    this.all.push(
      new cloudwatch.Alarm(this, name, {
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: missing,
        ...props,
        alarmName: `${this.namePrefix}${name}`,
      }),
    );
  }
}
