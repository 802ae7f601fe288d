import type { MetricSample, MetricSink } from './metric-sample.js';

/** The CloudWatch namespace of ShopFlow's metrics (the same as its alert metrics). */
export const EMF_NAMESPACE = 'ShopFlow';

type Unit = 'Milliseconds' | 'Count' | 'Bytes' | 'None';

/**
 * One CloudWatch embedded-metric-format line: each metric with dimension `AssetKey` (when given)
 * and without dimensions (the aggregate the alarms watch), plus searchable properties.
 */
export function emfLine(
  at: string,
  metrics: Array<[name: string, unit: Unit, value: number]>,
  properties: Record<string, string | null>,
): string {
  const timestamp = Date.parse(at);
  const dimensions = properties.AssetKey ? [['AssetKey'], []] : [[]];
  return JSON.stringify({
    _aws: {
      Timestamp: Number.isNaN(timestamp) ? Date.now() : timestamp,
      CloudWatchMetrics: [
        {
          Namespace: EMF_NAMESPACE,
          Dimensions: dimensions,
          Metrics: metrics.map(([Name, Unit]) => ({ Name, Unit })),
        },
      ],
    },
    ...Object.fromEntries(Object.entries(properties).filter(([, v]) => v !== null)),
    ...Object.fromEntries(metrics.map(([name, , value]) => [name, value])),
  });
}

/** The EMF line of a sample, or undefined when it carries no metric. */
export function emfLineOf(sample: MetricSample): string | undefined {
  switch (sample.kind) {
    case 'run':
      return emfLine(sample.at, [['RunDurationMs', 'Milliseconds', sample.durationMs ?? 0]], {
        RunId: sample.runId,
        Status: sample.status,
      });
    case 'step': {
      if (sample.status === 'skipped') return undefined;
      const metrics: Array<[string, Unit, number]> = [];
      if (sample.status === 'failure') metrics.push(['StepFailures', 'Count', 1]);
      if (sample.durationMs !== null) metrics.push(['StepDurationMs', 'Milliseconds', sample.durationMs]);
      if (sample.durationRatio !== null) metrics.push(['StepDurationRatio', 'None', sample.durationRatio]);
      if (sample.rowsWritten !== null) {
        metrics.push(['RowsWritten', 'Count', sample.rowsWritten]);
        metrics.push(['RowsQuarantined', 'Count', sample.rowsQuarantined]);
        const read = sample.rowsWritten + sample.rowsQuarantined;
        if (read > 0) metrics.push(['QuarantineShare', 'None', sample.rowsQuarantined / read]);
      }
      if (sample.bytesWritten !== null) metrics.push(['BytesWritten', 'Bytes', sample.bytesWritten]);
      return emfLine(sample.at, metrics, {
        AssetKey: sample.assetKey,
        PartitionKey: sample.partitionKey,
        RunId: sample.runId,
        Status: sample.status,
      });
    }
    case 'check':
      if (sample.passed) return undefined;
      return emfLine(sample.at, [['CheckFailures', 'Count', 1]], {
        AssetKey: sample.assetKey,
        PartitionKey: sample.partitionKey,
        Check: sample.check,
        Severity: sample.severity,
        RunId: sample.runId,
      });
    case 'retry':
      return emfLine(sample.at, [['StepRetries', 'Count', 1]], {
        AssetKey: sample.assetKey,
        PartitionKey: sample.partitionKey,
        RunId: sample.runId,
      });
  }
}

/**
 * Writes each sample as a CloudWatch embedded-metric line (to stderr by default: stdout is the
 * commands' output, and CloudWatch Logs reads both streams of a container). With
 * `metrics.emf: true` (`config/prod.yaml`), CloudWatch turns them into the metrics the dashboard
 * charts and the `StepDurationDegraded` and `QuarantineShareHigh` alarms watch.
 *
 * @example
 * metrics.addSink(new EmfMetrics(process.stderr));
 */
export class EmfMetrics implements MetricSink {
  constructor(private readonly out: { write(line: string): unknown } = process.stderr) {}

  record(sample: MetricSample): void {
    const line = emfLineOf(sample);
    if (line) this.out.write(`${line}\n`);
  }
}

/**
 * The EMF line of a step queue's depth, which the workers write every `metrics.queueDepthSeconds`
 * with `metrics.emf`: `QueuedSteps` (waiting for a worker) and `ActiveSteps`, dimension `Queue` —
 * the metric the worker service of `infra/` scales on.
 *
 * @example
 * queueDepthLine('steps', { ready: 40, active: 8 }, new Date().toISOString());
 */
export function queueDepthLine(queue: string, depth: { ready: number; active: number }, at: string): string {
  const timestamp = Date.parse(at);
  return JSON.stringify({
    _aws: {
      Timestamp: Number.isNaN(timestamp) ? Date.now() : timestamp,
      CloudWatchMetrics: [
        {
          Namespace: EMF_NAMESPACE,
          Dimensions: [['Queue']],
          Metrics: [
            { Name: 'QueuedSteps', Unit: 'Count' },
            { Name: 'ActiveSteps', Unit: 'Count' },
          ],
        },
      ],
    },
    Queue: queue,
    QueuedSteps: depth.ready,
    ActiveSteps: depth.active,
  });
}
