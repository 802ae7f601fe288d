import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { PII_MASK } from '../../../framework/governance/mask-rows.js';
import {
  defineAsset,
  defineDefinitions,
  type InstanceStore,
  openInstanceStore,
  rowCheck,
} from '../../../framework/index.js';
import { buildQualityReport } from '../../../framework/reporting/quality-report.js';
import { qualityReportHtml } from '../../../framework/reporting/quality-report-html.js';
import { exampleDefinitions } from '../../fixtures/example-graph.js';
import { tempHome } from '../../support/example-runtime.js';

const XSS = '<script>alert("x")</script>';
let store: InstanceStore;
let cleanup: () => void;

beforeEach(async () => {
  const home = tempHome('shopflow-report-');
  cleanup = home.cleanup;
  store = await openInstanceStore({ type: 'sqlite', path: join(home.home, 'instance.db') });
});
afterEach(async () => {
  await store.close();
  cleanup();
});

const definitions = exampleDefinitions({
  extraChecks: [rowCheck({ name: 'station_known', validWhen: 'station_id < 3', quarantine: true })],
});

type Evaluation = {
  asset: string;
  partition: string | null;
  check: string;
  severity?: 'error' | 'warn';
  passed: boolean;
  metadata?: Record<string, unknown>;
};

let clock = Date.parse('2024-01-05T00:00:00Z');
async function run(evaluations: Evaluation[]): Promise<string> {
  const created = await store.createRun({ selection: '*', plan: null });
  for (const e of evaluations) {
    clock += 60_000;
    await store.recordCheckEvaluation({
      runId: created.id,
      assetKey: e.asset,
      partitionKey: e.partition,
      checkName: e.check,
      severity: e.severity ?? 'error',
      passed: e.passed,
      metadata: e.metadata ?? { failingRows: 0, sample: [] },
      materializationId: null,
      createdAt: new Date(clock).toISOString(),
    });
  }
  return created.id;
}

/** Three runs with evaluations (and one without) whose expected report is known. */
async function seed(): Promise<string[]> {
  const first = await run([
    { asset: 'readings', partition: '2024-01-01', check: 'temperature_plausible', passed: true },
    { asset: 'readings', partition: '2024-01-02', check: 'temperature_plausible', passed: true },
    { asset: 'station_summary', partition: null, check: 'three_stations', severity: 'warn', passed: true },
  ]);
  await run([]);
  const third = await run([
    {
      asset: 'readings',
      partition: '2024-01-03',
      check: 'temperature_plausible',
      passed: false,
      metadata: { failingRows: 2, sample: [{ station_id: 1, temperature: -100 }], message: '2 rows fail' },
    },
    { asset: 'station_summary', partition: null, check: 'three_stations', severity: 'warn', passed: false },
  ]);
  const fourth = await run([
    { asset: 'readings', partition: '2024-01-02', check: 'temperature_plausible', passed: true },
    {
      asset: 'readings',
      partition: '2024-01-03',
      check: 'temperature_plausible',
      passed: false,
      metadata: {
        failingRows: 1,
        sample: [{ station_id: 1, temperature: -100, note: XSS }],
        message: '1 rows fail `temperature > -90`',
      },
    },
    {
      asset: 'readings',
      partition: '2024-01-03',
      check: 'station_known',
      passed: true,
      metadata: {
        failingRows: 0,
        sample: [],
        quarantinedRows: 24,
        quarantineSample: [{ station_id: 3, hour: 0, temperature: 5 }],
      },
    },
  ]);
  return [first, third, fourth];
}

describe('buildQualityReport', () => {
  test('latest outcomes, row counts, samples and per-run trends come from the store', async () => {
    const runIds = await seed();
    const report = await buildQualityReport({ store, graph: definitions.graph, runs: 20 });

    // the run without evaluations is not a trend column
    expect(report.runs.map((r) => r.id)).toEqual(runIds);
    expect(report.runs.map((r) => r.counts)).toEqual([
      { pass: 3, warn: 0, fail: 0 },
      { pass: 0, warn: 1, fail: 1 },
      { pass: 2, warn: 0, fail: 1 },
    ]);
    // assets with checks, in topological order; assets without checks are left out
    expect(report.assets.map((a) => a.assetKey)).toEqual(['readings', 'station_summary']);

    const readings = report.assets[0];
    expect(readings).toMatchObject({
      group: 'raw',
      defined: true,
      counts: { pass: 3, warn: 0, fail: 1 },
      failingRows: 1,
      quarantinedRows: 24,
    });
    const [plausible, known] = readings.checks;
    expect(plausible).toMatchObject({
      name: 'temperature_plausible',
      severity: 'error',
      description: 'every row satisfies `temperature > -90`',
      counts: { pass: 2, warn: 0, fail: 1 },
      failingRows: 1,
      message: '1 rows fail `temperature > -90`',
    });
    expect(plausible.trend.map((p) => [p.outcome, p.failingRows])).toEqual([
      ['pass', 0],
      ['fail', 2],
      ['fail', 1],
    ]);
    expect(plausible.samples).toEqual([
      {
        partitionKey: '2024-01-03',
        kind: 'failing',
        columns: ['station_id', 'temperature', 'note'],
        rows: [{ station_id: 1, temperature: -100, note: XSS }],
        totalRows: 1,
      },
    ]);
    expect(known.trend.map((p) => p.outcome)).toEqual(['none', 'none', 'pass']);
    expect(known.samples).toEqual([
      expect.objectContaining({
        kind: 'quarantined',
        totalRows: 24,
        rows: [{ station_id: 3, hour: 0, temperature: 5 }],
      }),
    ]);
    expect(readings.rowTrend.map((p) => [p.evaluated, p.failingRows, p.quarantinedRows])).toEqual([
      [true, 0, 0],
      [true, 2, 0],
      [true, 1, 24],
    ]);

    const summary = report.assets[1];
    expect(summary.checks[0]).toMatchObject({ severity: 'warn', counts: { pass: 0, warn: 1, fail: 0 } });
    expect(summary.checks[0].trend.map((p) => p.outcome)).toEqual(['pass', 'warn', 'none']);
    expect(report.counts).toEqual({ pass: 3, warn: 1, fail: 1 });
  });

  test('--runs keeps only the latest runs; --asset keeps one asset', async () => {
    const runIds = await seed();
    const report = await buildQualityReport({
      store,
      graph: definitions.graph,
      runs: 2,
      assetKey: 'station_summary',
    });
    // the latest run did not evaluate station_summary, so its two latest runs are the first and third
    expect(report.runs.map((r) => r.id)).toEqual([runIds[0], runIds[1]]);
    expect(report.assets.map((a) => a.assetKey)).toEqual(['station_summary']);
  });

  test('PII columns are masked unless asked for, and configured secrets never appear', async () => {
    const customers = defineAsset({
      key: 'customers',
      description: 'Customers.',
      schema: z.object({ id: z.int(), email: z.string().meta({ pii: true }) }),
      checks: [rowCheck({ name: 'email_valid', validWhen: "email like '%@%'" })],
      materialize: () => [],
    });
    const graph = defineDefinitions({ assets: [customers] }).graph;
    await run([
      {
        asset: 'customers',
        partition: null,
        check: 'email_valid',
        passed: false,
        metadata: {
          failingRows: 1,
          sample: [{ id: 7, email: 'not-an-email' }],
          message: 'failed while reading postgres://app:hunter2@db/shop with token s3cr3t-t0ken',
        },
      },
    ]);
    const masked = await buildQualityReport({ store, graph, secrets: ['s3cr3t-t0ken'] });
    expect(masked.piiMasked).toBe(true);
    expect(masked.assets[0].checks[0].samples[0].rows).toEqual([{ id: 7, email: PII_MASK }]);
    const text = JSON.stringify(masked) + qualityReportHtml(masked);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('s3cr3t-t0ken');
    expect(text).not.toContain('not-an-email');
    expect(text).toContain('[REDACTED]');

    const shown = await buildQualityReport({ store, graph, includePii: true });
    expect(shown.assets[0].checks[0].samples[0].rows).toEqual([{ id: 7, email: 'not-an-email' }]);
  });
});

describe('qualityReportHtml', () => {
  test('a self-contained page with the charts, escaping every value from the store', async () => {
    await seed();
    const html = qualityReportHtml(await buildQualityReport({ store, graph: definitions.graph }));
    expect(html.startsWith('<!doctype html>')).toBe(true);
    // charts: run bars in the header, a strip and sparklines per check, a sparkline per asset
    expect(html.match(/class="chart bars"/g)).toHaveLength(1);
    expect(html.match(/class="chart strip"/g)).toHaveLength(3);
    expect(html.match(/class="chart sparkline"/g)).toHaveLength(2 + 3);
    expect(html).toContain('<rect class="o-fail"');
    expect(html).toContain('<polyline class="s-failing s-line"');
    expect(html).toContain('<polyline class="s-quarantined s-line"');
    // samples are shown, escaped: no markup from the store gets through
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).not.toMatch(/<script/i);
    // self-contained: no external stylesheet, script, image or font
    expect(html).not.toMatch(/<link|src=|@import|url\(|https?:\/\//i);
    expect(html).toContain('id="asset-readings"');
    expect(html).toContain('href="#asset-readings"');
  });

  test('an empty store gives a page that says what to do', async () => {
    const html = qualityReportHtml(await buildQualityReport({ store, graph: definitions.graph }));
    expect(html).toContain('No check has been evaluated yet');
    expect(html).not.toContain('<svg');
  });
});
