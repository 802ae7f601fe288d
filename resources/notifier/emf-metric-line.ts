/** The CloudWatch namespace of every ShopFlow metric. */
export const METRIC_NAMESPACE = 'ShopFlow';

/**
 * Writes one CloudWatch embedded-metric-format (EMF) line to `stream` and returns it: a JSON object
 * whose `_aws.CloudWatchMetrics` declares metric `name` (namespace `ShopFlow`) with the given
 * dimensions, which CloudWatch Logs turns into a metric. Write it to a stream that ends up in
 * CloudWatch Logs (the container's stdout or stderr).
 *
 * @example
 * emfMetricLine('ShopFlowAlerts', 1, { AlertType: 'check_failure' }, process.stderr);
 * // {"_aws":{"Timestamp":1705312800000,"CloudWatchMetrics":[{"Namespace":"ShopFlow","Dimensions":[["AlertType"]],"Metrics":[{"Name":"ShopFlowAlerts","Unit":"Count"}]}]},"AlertType":"check_failure","ShopFlowAlerts":1}
 */
export function emfMetricLine(
  name: string,
  value: number,
  dimensions: Record<string, string>,
  stream: NodeJS.WritableStream = process.stdout,
  options: { unit?: string; timestamp?: number } = {},
): string {
  const names = Object.keys(dimensions).sort();
  const line = JSON.stringify({
    _aws: {
      Timestamp: options.timestamp ?? Date.now(),
      CloudWatchMetrics: [
        {
          Namespace: METRIC_NAMESPACE,
          Dimensions: [names],
          Metrics: [{ Name: name, Unit: options.unit ?? 'Count' }],
        },
      ],
    },
    ...Object.fromEntries(names.map((n) => [n, dimensions[n]])),
    [name]: value,
  });
  stream.write(`${line}\n`);
  return line;
}
