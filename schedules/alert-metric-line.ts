import type { Alert, AlertKind } from '../framework/index.js';

/** The CloudWatch namespace of ShopFlow's alert metrics. */
export const ALERT_METRIC_NAMESPACE = 'ShopFlow';

/** The metric each alert kind counts. */
export const ALERT_METRIC_NAMES: Readonly<Record<AlertKind, string>> = {
  run_failure: 'RunFailures',
  check_failure: 'BlockingCheckFailures',
  freshness_breach: 'FreshnessBreaches',
  tick_failure: 'TickFailures',
};

/**
 * One line of CloudWatch embedded metric format (EMF) counting an alert: a metric named after the
 * alert's kind (`RunFailures`, `BlockingCheckFailures`, `FreshnessBreaches`, `TickFailures`) with
 * the dimension `AlertKind`, plus the alert's run, asset and source as searchable properties.
 * Printed to stdout in a container or Lambda, CloudWatch Logs turns it into a metric.
 *
 * @example
 * process.stdout.write(`${alertMetricLine(alert)}\n`);
 * // {"_aws":{"Timestamp":…,"CloudWatchMetrics":[{"Namespace":"ShopFlow","Dimensions":[["AlertKind"]],"Metrics":[{"Name":"RunFailures","Unit":"Count"}]}]},"AlertKind":"run_failure","RunFailures":1,…}
 */
export function alertMetricLine(alert: Alert): string {
  const metric = ALERT_METRIC_NAMES[alert.kind];
  const timestamp = Date.parse(alert.at);
  return JSON.stringify({
    _aws: {
      Timestamp: Number.isNaN(timestamp) ? Date.now() : timestamp,
      CloudWatchMetrics: [
        {
          Namespace: ALERT_METRIC_NAMESPACE,
          Dimensions: [['AlertKind']],
          Metrics: [{ Name: metric, Unit: 'Count' }],
        },
      ],
    },
    AlertKind: alert.kind,
    [metric]: 1,
    severity: alert.severity,
    title: alert.title,
    dedupeKey: alert.dedupeKey,
    ...(alert.runId ? { runId: alert.runId } : {}),
    ...(alert.assetKey ? { assetKey: alert.assetKey } : {}),
    ...(alert.partitionKey ? { partitionKey: alert.partitionKey } : {}),
    ...(alert.source ? { source: alert.source } : {}),
  });
}
