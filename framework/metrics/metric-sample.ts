/** A finished step, as the metrics see it. */
export interface StepSample {
  kind: 'step';
  runId: string;
  assetKey: string;
  partitionKey: string | null;
  status: 'success' | 'failure' | 'skipped';
  /** From the step's start to its end; null for a skipped step. */
  durationMs: number | null;
  rowsWritten: number | null;
  rowsQuarantined: number;
  /** Bytes of the files the step wrote (lake tables); null where the target does not say. */
  bytesWritten: number | null;
  /**
   * The duration ÷ the median duration of the asset's previous successful materializations (at
   * most `baselineRuns` of them, at least 3), or null without enough history.
   */
  durationRatio: number | null;
  at: string;
}

/** A finished run. */
export interface RunSample {
  kind: 'run';
  runId: string;
  status: 'success' | 'failure' | 'canceled';
  durationMs: number | null;
  at: string;
}

/** A check evaluation. */
export interface CheckSample {
  kind: 'check';
  runId: string;
  assetKey: string;
  partitionKey: string | null;
  check: string;
  severity: string;
  passed: boolean;
  at: string;
}

/** A failed attempt of a step that is retried. */
export interface RetrySample {
  kind: 'retry';
  runId: string;
  assetKey: string;
  partitionKey: string | null;
  at: string;
}

export type MetricSample = StepSample | RunSample | CheckSample | RetrySample;

/** Where samples go: a Prometheus registry, CloudWatch embedded-metric lines, a test. */
export interface MetricSink {
  record(sample: MetricSample): void;
}
