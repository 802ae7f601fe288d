import { describe, expect, it } from 'vitest';
import { emfLineOf, type MetricSample, PrometheusMetrics } from '../../../framework/index.js';

const step: MetricSample = {
  kind: 'step',
  runId: 'r1',
  assetKey: 'readings',
  partitionKey: '2024-01-02',
  status: 'success',
  durationMs: 1500,
  rowsWritten: 90,
  rowsQuarantined: 10,
  bytesWritten: 2048,
  durationRatio: 2.5,
  at: '2024-01-03T02:00:00.000Z',
};

describe('CloudWatch embedded-metric lines', () => {
  it('a step: duration, ratio, rows, quarantine share and bytes, per asset and in aggregate', () => {
    const line = JSON.parse(emfLineOf(step)!);
    expect(line._aws.Timestamp).toBe(Date.parse(step.at));
    const [directive] = line._aws.CloudWatchMetrics;
    expect(directive.Namespace).toBe('ShopFlow');
    expect(directive.Dimensions).toEqual([['AssetKey'], []]);
    expect(directive.Metrics.map((m: { Name: string }) => m.Name)).toEqual([
      'StepDurationMs',
      'StepDurationRatio',
      'RowsWritten',
      'RowsQuarantined',
      'QuarantineShare',
      'BytesWritten',
    ]);
    expect(line).toMatchObject({
      AssetKey: 'readings',
      PartitionKey: '2024-01-02',
      StepDurationMs: 1500,
      StepDurationRatio: 2.5,
      QuarantineShare: 0.1,
      BytesWritten: 2048,
    });
    // Every metric a directive names has its value at the root (the EMF rule).
    for (const { Name } of directive.Metrics) expect(typeof line[Name]).toBe('number');
  });

  it('a failed step counts a failure; no ratio without history; skipped steps and passed checks write nothing', () => {
    const failed = JSON.parse(
      emfLineOf({ ...step, status: 'failure', rowsWritten: null, bytesWritten: null, durationRatio: null })!,
    );
    expect(failed.StepFailures).toBe(1);
    expect(failed).not.toHaveProperty('StepDurationRatio');
    expect(failed).not.toHaveProperty('QuarantineShare');
    expect(emfLineOf({ ...step, status: 'skipped' })).toBeUndefined();
    const check = {
      kind: 'check',
      runId: 'r1',
      assetKey: 'readings',
      partitionKey: null,
      check: 'plausible',
      severity: 'error',
      passed: true,
      at: step.at,
    } as const;
    expect(emfLineOf(check)).toBeUndefined();
    expect(JSON.parse(emfLineOf({ ...check, passed: false })!)).toMatchObject({
      CheckFailures: 1,
      Check: 'plausible',
    });
  });
});

describe('Prometheus metrics', () => {
  it('counts steps, rows, bytes, check failures, retries and runs; keeps the last duration ratio; reads freshness at scrape', async () => {
    let scrapes = 0;
    const metrics = new PrometheusMetrics({
      freshness: async () => {
        scrapes++;
        return [{ assetKey: 'readings', ageSeconds: 3600 }];
      },
    });
    metrics.record(step);
    metrics.record({ ...step, partitionKey: '2024-01-03', durationRatio: 0.9 });
    metrics.record({ ...step, status: 'skipped' });
    metrics.record({ kind: 'retry', runId: 'r1', assetKey: 'readings', partitionKey: null, at: step.at });
    metrics.record({
      kind: 'check',
      runId: 'r1',
      assetKey: 'readings',
      partitionKey: null,
      check: 'plausible',
      severity: 'warn',
      passed: false,
      at: step.at,
    });
    metrics.record({ kind: 'run', runId: 'r1', status: 'success', durationMs: 4000, at: step.at });
    const text = await metrics.text();
    expect(text).toContain('shopflow_steps_total{asset="readings",status="success"} 2');
    expect(text).toContain('shopflow_steps_total{asset="readings",status="skipped"} 1');
    expect(text).toContain('shopflow_rows_written_total{asset="readings"} 180');
    expect(text).toContain('shopflow_rows_quarantined_total{asset="readings"} 20');
    expect(text).toContain('shopflow_bytes_written_total{asset="readings"} 4096');
    expect(text).toContain('shopflow_step_duration_ratio{asset="readings"} 0.9');
    expect(text).toContain('shopflow_step_duration_seconds_count{asset="readings"} 2');
    expect(text).toContain('shopflow_step_retries_total{asset="readings"} 1');
    expect(text).toContain(
      'shopflow_check_failures_total{asset="readings",check="plausible",severity="warn"} 1',
    );
    expect(text).toContain('shopflow_runs_total{status="success"} 1');
    expect(text).toContain('shopflow_run_duration_seconds_sum{status="success"} 4');
    expect(text).toContain('shopflow_asset_freshness_lag_seconds{asset="readings"} 3600');
    expect(scrapes).toBe(1);
  });
});
