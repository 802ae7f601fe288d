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
 * `ShopFlowAlerts` with dimension `AlertType`: one per alert the notifier sends, from the process
 * that ran the run (`resources/notifier/emf-metric-line.ts`).
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
 * The daemon's count of one alert kind (`RunFailures`, `FreshnessBreaches`, …) with dimension
 * `AlertKind`.
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
 * Failures of one kind as seen by either reporter: the larger of the notifier's and the daemon's
 * count in each period. A failed run is counted by the process that ran it (notifier) and, when
 * a daemon watches the instance, by the daemon too; taking the maximum counts it once, and still
 * counts it when only one of them reported.
 *
 * @example
 * failures('run_failure', Duration.hours(1), 'Run failures');
 */
export function failures(
  kind: 'run_failure' | 'check_failure',
  period: Duration,
  label: string,
): cloudwatch.MathExpression {
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
