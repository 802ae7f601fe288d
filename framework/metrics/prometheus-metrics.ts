import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { lazyModule } from '../modules/lazy-module.js';
import type { MetricSample, MetricSink } from './metric-sample.js';

// NOTE: loaded when the first registry is made, so commands without metrics never load it.
const load = lazyModule<typeof import('prom-client')>('prom-client');

/** How old each asset's newest materialization is, in seconds, for the freshness gauge. */
export type FreshnessSource = () => Promise<Array<{ assetKey: string; ageSeconds: number }>>;

const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

/**
 * ShopFlow's Prometheus metrics in a registry of their own (`/metrics` of `shopflow serve` and of
 * `shopflow daemon --metrics-port`): counters and histograms fed by {@link StepMetrics} samples,
 * and a freshness gauge read from the instance store at each scrape.
 *
 * | metric | labels |
 * | --- | --- |
 * | `shopflow_runs_total`, `shopflow_run_duration_seconds` | `status` |
 * | `shopflow_steps_total` | `asset`, `status` |
 * | `shopflow_step_duration_seconds` | `asset` |
 * | `shopflow_step_duration_ratio` (last duration ÷ trailing median) | `asset` |
 * | `shopflow_rows_written_total`, `shopflow_rows_quarantined_total`, `shopflow_bytes_written_total` | `asset` |
 * | `shopflow_check_failures_total` | `asset`, `check`, `severity` |
 * | `shopflow_step_retries_total` | `asset` |
 * | `shopflow_asset_freshness_lag_seconds` (age of the newest materialization) | `asset` |
 *
 * @example
 * const prometheus = new PrometheusMetrics({ freshness });
 * metrics.addSink(prometheus);
 * reply.type(prometheus.contentType).send(await prometheus.text());
 */
export class PrometheusMetrics implements MetricSink {
  readonly registry: Registry;
  private readonly runs: Counter<'status'>;
  private readonly runDuration: Histogram<'status'>;
  private readonly steps: Counter<'asset' | 'status'>;
  private readonly stepDuration: Histogram<'asset'>;
  private readonly durationRatio: Gauge<'asset'>;
  private readonly rowsWritten: Counter<'asset'>;
  private readonly rowsQuarantined: Counter<'asset'>;
  private readonly bytesWritten: Counter<'asset'>;
  private readonly checkFailures: Counter<'asset' | 'check' | 'severity'>;
  private readonly retries: Counter<'asset'>;

  constructor(options: { freshness?: FreshnessSource } = {}) {
    const { Counter, Gauge, Histogram, Registry } = load();
    this.registry = new Registry();
    const registers = [this.registry];
    this.runs = new Counter({
      name: 'shopflow_runs_total',
      help: 'Runs finished',
      labelNames: ['status'],
      registers,
    });
    this.runDuration = new Histogram({
      name: 'shopflow_run_duration_seconds',
      help: 'Run duration',
      labelNames: ['status'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.steps = new Counter({
      name: 'shopflow_steps_total',
      help: 'Steps finished (success, failure, skipped)',
      labelNames: ['asset', 'status'],
      registers,
    });
    this.stepDuration = new Histogram({
      name: 'shopflow_step_duration_seconds',
      help: 'Step duration (materialization and checks)',
      labelNames: ['asset'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.durationRatio = new Gauge({
      name: 'shopflow_step_duration_ratio',
      help: "The asset's last step duration divided by the median of its previous ones",
      labelNames: ['asset'],
      registers,
    });
    this.rowsWritten = new Counter({
      name: 'shopflow_rows_written_total',
      help: 'Rows written',
      labelNames: ['asset'],
      registers,
    });
    this.rowsQuarantined = new Counter({
      name: 'shopflow_rows_quarantined_total',
      help: 'Rows moved to quarantine',
      labelNames: ['asset'],
      registers,
    });
    this.bytesWritten = new Counter({
      name: 'shopflow_bytes_written_total',
      help: 'Bytes of lake files written',
      labelNames: ['asset'],
      registers,
    });
    this.checkFailures = new Counter({
      name: 'shopflow_check_failures_total',
      help: 'Check evaluations that failed',
      labelNames: ['asset', 'check', 'severity'],
      registers,
    });
    this.retries = new Counter({
      name: 'shopflow_step_retries_total',
      help: 'Failed step attempts that were retried',
      labelNames: ['asset'],
      registers,
    });
    const freshness = options.freshness;
    if (freshness) {
      new Gauge({
        name: 'shopflow_asset_freshness_lag_seconds',
        help: "Age of the asset's newest materialization",
        labelNames: ['asset'],
        registers,
        async collect() {
          this.reset();
          for (const { assetKey, ageSeconds } of await freshness()) this.set({ asset: assetKey }, ageSeconds);
        },
      });
    }
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  record(sample: MetricSample): void {
    switch (sample.kind) {
      case 'run':
        this.runs.inc({ status: sample.status });
        if (sample.durationMs !== null)
          this.runDuration.observe({ status: sample.status }, sample.durationMs / 1000);
        return;
      case 'step': {
        const asset = { asset: sample.assetKey };
        this.steps.inc({ ...asset, status: sample.status });
        if (sample.status === 'skipped') return;
        if (sample.durationMs !== null) this.stepDuration.observe(asset, sample.durationMs / 1000);
        if (sample.durationRatio !== null) this.durationRatio.set(asset, sample.durationRatio);
        if (sample.rowsWritten !== null) this.rowsWritten.inc(asset, sample.rowsWritten);
        this.rowsQuarantined.inc(asset, sample.rowsQuarantined);
        if (sample.bytesWritten !== null) this.bytesWritten.inc(asset, sample.bytesWritten);
        return;
      }
      case 'check':
        if (!sample.passed)
          this.checkFailures.inc({ asset: sample.assetKey, check: sample.check, severity: sample.severity });
        return;
      case 'retry':
        this.retries.inc({ asset: sample.assetKey });
        return;
    }
  }
}
