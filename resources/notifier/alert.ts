/** How bad an alert is; decides its colour, its log level and its metric dimension. */
export type AlertSeverity = 'error' | 'warning' | 'info';

/**
 * One notification: a title and a sentence, optional labelled fields, and the run, asset and
 * partition it is about.
 *
 * @example
 * const alert: Alert = {
 *   severity: 'error',
 *   type: 'check_failure',
 *   title: 'Blocking check failed: silver_customers:not_null_email',
 *   text: '3 rows have a null email',
 *   fields: { 'Failing rows': '3' },
 *   assetKey: 'silver_customers',
 *   partitionKey: '2024-01-15',
 * };
 */
export interface Alert {
  severity: AlertSeverity;
  /** What kind of event this is (`check_failure`, `run_failure` …); the metric dimension. Default: the severity. */
  type?: string;
  title: string;
  text: string;
  fields?: Record<string, string>;
  runId?: string;
  assetKey?: string;
  partitionKey?: string | null;
}
