import type { Logger } from 'pino';
import type { EventRecord, InstanceStore } from '../instance/instance-store.js';
import { DurationBaseline } from './duration-baseline.js';
import type { MetricSample, MetricSink } from './metric-sample.js';

const number = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;

/**
 * Turns the run events of this process into metric samples — run and step durations, rows written
 * and quarantined, bytes written, check failures, retries, and each step's duration against its
 * asset's trailing median — and hands them to the sinks (Prometheus, CloudWatch embedded-metric
 * lines). Observing costs nothing while there is no sink.
 *
 * @example
 * const metrics = new StepMetrics({ store, baselineRuns: 20, log });
 * metrics.addSink(prometheus);
 * runtime.onEvent((event) => void metrics.observe(event));
 */
export class StepMetrics {
  private readonly sinks = new Set<MetricSink>();
  private readonly started = new Map<string, number>();
  private readonly baseline: DurationBaseline;
  private readonly log?: Logger;
  private queue: Promise<void> = Promise.resolve();

  constructor(options: { store: InstanceStore; baselineRuns: number; log?: Logger }) {
    this.baseline = new DurationBaseline(options.store, options.baselineRuns);
    this.log = options.log;
  }

  /** Adds a sink; the returned function removes it. */
  addSink(sink: MetricSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  get active(): boolean {
    return this.sinks.size > 0;
  }

  /** Records the event's sample after every earlier event's, so sinks see them in order. */
  observe(event: EventRecord): Promise<void> {
    if (!this.active) return this.queue;
    this.queue = this.queue
      .then(() => this.record(event))
      .catch((error) => {
        this.log?.warn({ err: error }, 'metrics of an event could not be computed; the run goes on');
      });
    return this.queue;
  }

  private async record(event: EventRecord): Promise<void> {
    const sample = await this.sampleOf(event);
    if (!sample) return;
    for (const sink of this.sinks) {
      try {
        sink.record(sample);
      } catch (error) {
        this.log?.warn({ err: error }, 'a metrics sink failed; the run goes on');
      }
    }
  }

  private async sampleOf(event: EventRecord): Promise<MetricSample | undefined> {
    const at = event.ts;
    const key = `${event.runId}\u0000${event.assetKey ?? ''}\u0000${event.partitionKey ?? ''}`;
    const since = (k: string) => {
      const start = this.started.get(k);
      this.started.delete(k);
      return start === undefined ? null : Math.max(0, Date.parse(at) - start);
    };
    switch (event.type) {
      case 'run_start':
      case 'step_start':
        this.started.set(event.type === 'run_start' ? event.runId : key, Date.parse(at));
        return undefined;
      case 'run_success':
      case 'run_failure':
      case 'run_canceled':
        return {
          kind: 'run',
          runId: event.runId,
          status:
            event.type === 'run_success' ? 'success' : event.type === 'run_failure' ? 'failure' : 'canceled',
          durationMs: since(event.runId),
          at,
        };
      case 'step_success':
      case 'step_failure':
      case 'step_skipped': {
        if (!event.assetKey) return undefined;
        const measured = since(key);
        const durationMs =
          event.type === 'step_success' ? (number(event.data.durationMs) ?? measured) : measured;
        const success = event.type === 'step_success';
        return {
          kind: 'step',
          runId: event.runId,
          assetKey: event.assetKey,
          partitionKey: event.partitionKey,
          status: success ? 'success' : event.type === 'step_failure' ? 'failure' : 'skipped',
          durationMs: event.type === 'step_skipped' ? null : durationMs,
          rowsWritten: success ? number(event.data.rowCount) : null,
          rowsQuarantined: success ? (number(event.data.quarantinedRows) ?? 0) : 0,
          bytesWritten: success ? number(event.data.bytesWritten) : null,
          durationRatio:
            success && durationMs !== null
              ? await this.baseline.ratio(event.assetKey, event.runId, event.partitionKey, durationMs, at)
              : null,
          at,
        };
      }
      case 'step_retry':
        if (!event.assetKey) return undefined;
        return {
          kind: 'retry',
          runId: event.runId,
          assetKey: event.assetKey,
          partitionKey: event.partitionKey,
          at,
        };
      case 'check_evaluation':
        if (!event.assetKey) return undefined;
        return {
          kind: 'check',
          runId: event.runId,
          assetKey: event.assetKey,
          partitionKey: event.partitionKey,
          check: String(event.data.check ?? 'unknown'),
          severity: String(event.data.severity ?? 'error'),
          passed: event.data.passed !== false,
          at,
        };
      default:
        return undefined;
    }
  }
}
