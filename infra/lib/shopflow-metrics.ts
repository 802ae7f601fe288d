import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/** The CloudWatch namespace ShopFlow's EMF lines write to. */
export const METRIC_NAMESPACE = 'ShopFlow';

/** The kinds of alert ShopFlow counts (the daemon's `AlertKind`, the notifier's `AlertType`). */
export type AlertKind = 'run_failure' | 'check_failure' | 'freshness_breach' | 'tick_failure';

/** The metric the daemon's alert sink writes for each kind (`schedules/alert-metric-line.ts`). */
export const DAEMON_METRIC_NAMES: Readonly<Record<AlertKind, string>> = {
  run_failure: 'RunFailures',
  check_failure: 'BlockingCheckFailures',
  freshness_breach: 'FreshnessBreaches',
  tick_failure: 'TickFailures',
};

/**
 * `ShopFlowAlerts` with dimension `AlertType`: one per alert the notifier sends
 * (`resources/notifier/emf-metric-line.ts`): failed runs and blocking checks from the process that
 * ran them, freshness breaches and tick failures from the daemon.
 *
 * @example
 * notifierAlerts('run_failure', Duration.hours(1));
 */
export function notifierAlerts(alertType: string, period: Duration): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRIC_NAMESPACE,
    metricName: 'ShopFlowAlerts',
    dimensionsMap: { AlertType: alertType },
    statistic: cloudwatch.Stats.SUM,
    period,
    label: `ShopFlowAlerts ${alertType}`,
  });
}

/**
 * The framework daemon's own count of one alert kind (`RunFailures`, `FreshnessBreaches`, …) with
 * dimension `AlertKind`, written by its default alert sink (`schedules/alert-metric-line.ts`).
 *
 * @example
 * daemonAlerts('freshness_breach', Duration.hours(1)).metricName; // 'FreshnessBreaches'
 */
export function daemonAlerts(kind: AlertKind, period: Duration): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRIC_NAMESPACE,
    metricName: DAEMON_METRIC_NAMES[kind],
    dimensionsMap: { AlertKind: kind },
    statistic: cloudwatch.Stats.SUM,
    period,
    label: DAEMON_METRIC_NAMES[kind],
  });
}

/**
 * The alerts of one kind, whichever reporter counted them: the larger of the notifier's
 * `ShopFlowAlerts` (ShopFlow's wiring: the run hook and the daemon both send through the notifier,
 * once per alert) and the framework daemon's own metric (its default alert sink, when a daemon runs
 * without the notifier), per period. Each alert is counted once either way.
 *
 * @example
 * alertCount('run_failure', Duration.hours(1), 'Run failures');
 */
export function alertCount(kind: AlertKind, period: Duration, label: string): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: `MAX([FILL(notifier_${kind}, 0), FILL(daemon_${kind}, 0)])`,
    usingMetrics: {
      [`notifier_${kind}`]: notifierAlerts(kind, period),
      [`daemon_${kind}`]: daemonAlerts(kind, period),
    },
    period,
    label,
  });
}

/**
 * Every `ShopFlowAlerts` series, one line per `AlertType` (a search expression: dashboards only).
 *
 * @example
 * new cloudwatch.GraphWidget({ left: [alertsByType(Duration.hours(1))] });
 */
export function alertsByType(period: Duration = Duration.hours(1)): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: `SEARCH('{${METRIC_NAMESPACE},AlertType} MetricName="ShopFlowAlerts"', 'Sum', ${period.toSeconds()})`,
    usingMetrics: {},
    period,
    label: '',
  });
}

/**
 * A metric of the pipeline's own EMF lines (`framework/metrics/emf-metrics.ts`, `metrics.emf: true`),
 * aggregated over every asset (the lines' dimensionless series): `StepDurationRatio`,
 * `QuarantineShare`, `StepDurationMs`, `RowsWritten`, `RowsQuarantined`, `BytesWritten`,
 * `StepFailures`, `StepRetries`, `CheckFailures`, `RunDurationMs`.
 *
 * @example
 * runMetric('StepDurationRatio', cloudwatch.Stats.MAXIMUM, Duration.hours(1));
 */
export function runMetric(
  metricName: string,
  statistic: string,
  period: Duration,
  label?: string,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRIC_NAMESPACE,
    metricName,
    statistic,
    period,
    label: label ?? metricName,
  });
}

/**
 * One line per asset of a metric of the EMF lines (a search expression: dashboards only).
 *
 * @example
 * new cloudwatch.GraphWidget({ left: [runMetricByAsset('StepDurationMs', 'Maximum')] });
 */
export function runMetricByAsset(
  metricName: string,
  statistic: string,
  period: Duration = Duration.hours(1),
): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: `SEARCH('{${METRIC_NAMESPACE},AssetKey} MetricName="${metricName}"', '${statistic}', ${period.toSeconds()})`,
    usingMetrics: {},
    period,
    label: '',
  });
}
