import type { ColumnClassification } from '../governance/column-classification.js';
import { assetMasking, type GraphClassification } from '../governance/graph-classification.js';
import { asRow, maskRows } from '../governance/mask-rows.js';
import type { AssetGraph } from '../graph/asset-graph.js';
import type {
  CheckEvaluationRecord,
  InstanceStore,
  RunRecord,
  RunStatus,
} from '../instance/instance-store.js';
import { createSecretRedactor } from '../logging/redact-secrets.js';

/** How one check evaluation ended: passed, failed a `warn` check, or failed a blocking `error` check. */
export type CheckOutcome = 'pass' | 'warn' | 'fail';
/** A run's outcome for one check; `none` when the run did not evaluate it. */
export type TrendOutcome = CheckOutcome | 'none';

export interface QualityCounts {
  pass: number;
  warn: number;
  fail: number;
}

/** Rows kept by a check evaluation: rows failing its rule, or rows it moved to quarantine. */
export interface RowSample {
  partitionKey: string | null;
  kind: 'failing' | 'quarantined';
  /** Every column of the sample rows, in first-seen order. */
  columns: string[];
  rows: Array<Record<string, unknown>>;
  /** How many rows failed (or were quarantined) in all; the sample holds only a few. */
  totalRows: number | null;
}

/** One run's result for one check, over every partition the run evaluated. */
export interface CheckTrendPoint {
  runId: string;
  outcome: TrendOutcome;
  evaluations: number;
  counts: QualityCounts;
  failingRows: number;
  quarantinedRows: number;
}

export interface CheckQuality {
  name: string;
  severity: 'error' | 'warn';
  description: string;
  /** Outcomes of the latest evaluation of every partition. */
  counts: QualityCounts;
  failingRows: number;
  quarantinedRows: number;
  lastEvaluatedAt: string | null;
  /** The message of the latest evaluation that did not pass, else of the latest one. */
  message: string | null;
  samples: RowSample[];
  /** Samples left out of {@link CheckQuality.samples} to keep the report short. */
  omittedSamples: number;
  /** Aligned with {@link QualityReport.runs}, oldest first. */
  trend: CheckTrendPoint[];
}

export interface AssetQuality {
  assetKey: string;
  group: string;
  description: string;
  /** False for an asset that has evaluations but is no longer in the definitions. */
  defined: boolean;
  counts: QualityCounts;
  failingRows: number;
  quarantinedRows: number;
  /** Failing and quarantined rows per run, aligned with {@link QualityReport.runs}. */
  rowTrend: Array<{ runId: string; evaluated: boolean; failingRows: number; quarantinedRows: number }>;
  checks: CheckQuality[];
}

export interface QualityReportRun {
  id: string;
  status: RunStatus;
  selection: string;
  createdAt: string;
  /** Outcomes of every evaluation the run made (of the assets in the report). */
  counts: QualityCounts;
}

/** Everything the quality report shows; `shopflow checks --report x.json` writes exactly this. */
export interface QualityReport {
  generatedAt: string;
  /** The number of runs asked for (`--runs`). */
  runLimit: number;
  /** The latest runs that evaluated a check, oldest first. */
  runs: QualityReportRun[];
  counts: QualityCounts;
  failingRows: number;
  quarantinedRows: number;
  /** Whether values of PII columns in samples were replaced with `[PII]`. */
  piiMasked: boolean;
  assets: AssetQuality[];
}

export interface QualityReportOptions {
  store: InstanceStore;
  graph: AssetGraph;
  /** Runs in the trends (default 20). */
  runs?: number;
  /** Only this asset. */
  assetKey?: string;
  /** Strings that must never appear in the report (the configuration's secrets). */
  secrets?: readonly string[];
  /** Show values of PII columns in samples instead of `[PII]`. */
  includePii?: boolean;
  /** The graph's column classes (`runtime.classification()`): samples are masked by them, else by the schemas' declarations. */
  classification?: GraphClassification;
  now?: Date;
}

const SAMPLES_PER_CHECK = 3;
/** How many runs further back to look for runs that evaluated checks, per run asked for. */
const RUN_LOOKBACK = 10;

/**
 * Computes the data-quality report from the instance store: per asset and check, the outcomes of
 * the latest evaluations, failing-row and quarantine samples, and trends over the latest `runs`
 * runs that evaluated a check.
 *
 * @example
 * const report = await buildQualityReport({ store: runtime.store, graph: runtime.graph, runs: 20 });
 * report.assets[0].checks[0].trend.map((p) => p.outcome); // ['pass', 'fail', 'none', …]
 */
export async function buildQualityReport(options: QualityReportOptions): Promise<QualityReport> {
  const { store, graph } = options;
  const runLimit = options.runs ?? 20;
  const latest = await store.latestCheckEvaluations({ assetKey: options.assetKey });
  const runs = await recentRunsWithChecks(store, runLimit, options.assetKey);

  const assetKeys = new Set<string>();
  for (const asset of graph.assets) {
    if ((options.assetKey === undefined || asset.key === options.assetKey) && asset.checks.length > 0)
      assetKeys.add(asset.key);
  }
  for (const e of latest) assetKeys.add(e.assetKey);
  for (const { evaluations } of runs) for (const e of evaluations) assetKeys.add(e.assetKey);
  const order = new Map(graph.toposorted().map((key, index) => [key, index]));
  const sortedKeys = [...assetKeys].sort(
    (a, b) =>
      (order.get(a) ?? Number.MAX_SAFE_INTEGER) - (order.get(b) ?? Number.MAX_SAFE_INTEGER) ||
      a.localeCompare(b),
  );

  const assets = sortedKeys.map((assetKey) =>
    assetQuality(
      graph,
      assetKey,
      latest.filter((e) => e.assetKey === assetKey),
      runs,
      options.includePii === true,
      options.classification,
    ),
  );
  const report: QualityReport = {
    generatedAt: (options.now ?? new Date()).toISOString(),
    runLimit,
    runs: runs.map(({ run, evaluations }) => ({
      id: run.id,
      status: run.status,
      selection: run.selection,
      createdAt: run.createdAt,
      counts: countOutcomes(evaluations),
    })),
    counts: sumCounts(assets.map((a) => a.counts)),
    failingRows: assets.reduce((n, a) => n + a.failingRows, 0),
    quarantinedRows: assets.reduce((n, a) => n + a.quarantinedRows, 0),
    piiMasked: options.includePii !== true,
    assets,
  };
  return redactStrings(report, createSecretRedactor(options.secrets ?? []));
}

/** The latest `limit` runs that evaluated at least one check (of `assetKey`), oldest first. */
async function recentRunsWithChecks(
  store: InstanceStore,
  limit: number,
  assetKey: string | undefined,
): Promise<Array<{ run: RunRecord; evaluations: CheckEvaluationRecord[] }>> {
  const found: Array<{ run: RunRecord; evaluations: CheckEvaluationRecord[] }> = [];
  if (limit <= 0) return found;
  for (const run of await store.listRuns({ limit: limit * RUN_LOOKBACK })) {
    const evaluations = await store.listCheckEvaluations({ runId: run.id, assetKey });
    if (evaluations.length > 0) found.push({ run, evaluations });
    if (found.length === limit) break;
  }
  return found.reverse();
}

function assetQuality(
  graph: AssetGraph,
  assetKey: string,
  latest: CheckEvaluationRecord[],
  runs: Array<{ run: RunRecord; evaluations: CheckEvaluationRecord[] }>,
  includePii: boolean,
  resolved?: GraphClassification,
): AssetQuality {
  const asset = graph.has(assetKey) ? graph.get(assetKey) : undefined;
  // NOTE: an asset no longer defined has no schema to classify its columns by: its samples are
  // dropped rather than shown unmasked (see samplesOf).
  const classification: ColumnClassification | null = includePii
    ? new Map()
    : asset
      ? assetMasking(asset, resolved)
      : null;
  const names: string[] = asset ? asset.checks.map((c) => c.name) : [];
  const extra = new Set<string>();
  for (const e of latest) if (!names.includes(e.checkName)) extra.add(e.checkName);
  for (const { evaluations } of runs)
    for (const e of evaluations)
      if (e.assetKey === assetKey && !names.includes(e.checkName)) extra.add(e.checkName);
  names.push(...[...extra].sort());

  const checks = names.map((name): CheckQuality => {
    const declared = asset?.checks.find((c) => c.name === name);
    const ofCheck = latest
      .filter((e) => e.checkName === name)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    const notPassed = ofCheck.find((e) => !e.passed);
    const samples = [...ofCheck]
      .sort((a, b) => (b.partitionKey ?? '').localeCompare(a.partitionKey ?? ''))
      .flatMap((e) => samplesOf(e, classification));
    const message = (notPassed ?? ofCheck[0])?.metadata.message;
    return {
      name,
      severity: declared?.severity ?? ofCheck[0]?.severity ?? 'error',
      description: declared?.description ?? '',
      counts: countOutcomes(ofCheck),
      failingRows: sumMetadata(ofCheck, 'failingRows'),
      quarantinedRows: sumMetadata(ofCheck, 'quarantinedRows'),
      lastEvaluatedAt: ofCheck.reduce<string | null>(
        (at, e) => (at === null || e.createdAt > at ? e.createdAt : at),
        null,
      ),
      message: typeof message === 'string' ? message : null,
      samples: samples.slice(0, SAMPLES_PER_CHECK),
      omittedSamples: Math.max(0, samples.length - SAMPLES_PER_CHECK),
      trend: runs.map(({ run, evaluations }) => {
        const inRun = evaluations.filter((e) => e.assetKey === assetKey && e.checkName === name);
        const counts = countOutcomes(inRun);
        return {
          runId: run.id,
          outcome: counts.fail > 0 ? 'fail' : counts.warn > 0 ? 'warn' : counts.pass > 0 ? 'pass' : 'none',
          evaluations: inRun.length,
          counts,
          failingRows: sumMetadata(inRun, 'failingRows'),
          quarantinedRows: sumMetadata(inRun, 'quarantinedRows'),
        };
      }),
    };
  });

  return {
    assetKey,
    group: asset?.group ?? '',
    description: asset?.description ?? '',
    defined: asset !== undefined,
    counts: sumCounts(checks.map((c) => c.counts)),
    failingRows: checks.reduce((n, c) => n + c.failingRows, 0),
    quarantinedRows: checks.reduce((n, c) => n + c.quarantinedRows, 0),
    rowTrend: runs.map(({ run }, index) => ({
      runId: run.id,
      evaluated: checks.some((c) => c.trend[index].outcome !== 'none'),
      failingRows: checks.reduce((n, c) => n + c.trend[index].failingRows, 0),
      quarantinedRows: checks.reduce((n, c) => n + c.trend[index].quarantinedRows, 0),
    })),
    checks,
  };
}

/** The outcome of one evaluation. */
export function checkOutcome(evaluation: Pick<CheckEvaluationRecord, 'passed' | 'severity'>): CheckOutcome {
  if (evaluation.passed) return 'pass';
  return evaluation.severity === 'error' ? 'fail' : 'warn';
}

function countOutcomes(evaluations: CheckEvaluationRecord[]): QualityCounts {
  const counts = { pass: 0, warn: 0, fail: 0 };
  for (const e of evaluations) counts[checkOutcome(e)]++;
  return counts;
}

function sumCounts(all: QualityCounts[]): QualityCounts {
  return all.reduce(
    (sum, c) => ({ pass: sum.pass + c.pass, warn: sum.warn + c.warn, fail: sum.fail + c.fail }),
    {
      pass: 0,
      warn: 0,
      fail: 0,
    },
  );
}

function toCount(value: unknown): number {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0;
}

function sumMetadata(evaluations: CheckEvaluationRecord[], field: string): number {
  return evaluations.reduce((n, e) => n + toCount(e.metadata[field]), 0);
}

function samplesOf(
  evaluation: CheckEvaluationRecord,
  classification: ColumnClassification | null,
): RowSample[] {
  if (classification === null) return [];
  const kinds: Array<[RowSample['kind'], unknown, unknown]> = [
    ['failing', evaluation.passed ? undefined : evaluation.metadata.sample, evaluation.metadata.failingRows],
    ['quarantined', evaluation.metadata.quarantineSample, evaluation.metadata.quarantinedRows],
  ];
  const samples: RowSample[] = [];
  for (const [kind, sample, total] of kinds) {
    if (!Array.isArray(sample) || sample.length === 0) continue;
    const rows = maskRows(sample.map(asRow), classification);
    const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
    const totalRows = toCount(total);
    samples.push({
      partitionKey: evaluation.partitionKey,
      kind,
      columns,
      rows,
      totalRows: totalRows > 0 ? totalRows : null,
    });
  }
  return samples;
}

function redactStrings<T>(value: T, redact: (text: string) => string): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactStrings(v, redact)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, redactStrings(v, redact)]),
    ) as T;
  }
  return value;
}
