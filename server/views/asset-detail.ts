import {
  type AssetStatus,
  assetMasking,
  type ColumnInfo,
  maskMaterializationMetadata,
  type ShopflowRuntime,
  schemaColumns,
} from '../../framework/index.js';
import { type PartitionCounts, partitionCounts } from './partition-counts.js';
import { type PartitionCell, partitionCells } from './partition-states.js';
import type { StatusSnapshot } from './status-cache.js';
import { type RootCauseView, rootCauseView, statusReason } from './status-reason.js';

export interface LineageInputView {
  assetKey: string;
  partitionKey: string | null;
  materializationId: string;
  dataVersion: string;
  /** Whether the upstream partition still has this version (false: it has newer data). */
  current: boolean;
}

export interface MaterializationView {
  id: string;
  runId: string;
  partitionKey: string | null;
  rowCount: number | null;
  durationMs: number | null;
  dataVersion: string;
  codeVersion: string;
  createdAt: string;
}

export interface CheckView {
  name: string;
  severity: 'error' | 'warn';
  description: string;
  /** The most recent evaluation over all partitions, or null when it never ran. */
  latest: {
    passed: boolean;
    partitionKey: string | null;
    createdAt: string;
    runId: string;
    message: string | null;
  } | null;
  /** Partitions whose latest evaluation passed / failed. */
  passing: number;
  failing: number;
  failingPartitions: Array<string | null>;
}

export interface AssetDetail {
  key: string;
  group: string;
  description: string;
  tags: string[];
  owners: string[];
  codeVersion: string;
  kind: string;
  freshness: { maxLagMinutes: number } | null;
  /** The schema's columns with their class and the upstream columns each is computed from. */
  columns: Array<
    ColumnInfo & {
      classification: string | null;
      /** `declared`, `inherited`, `asset` (the asset's class) or `none`. */
      classSource: string;
      piiKind: string | null;
      computedFrom: Array<{ asset: string; column: string; how: string }>;
    }
  >;
  partitions: { kind: 'time-window' | 'static'; description: string } | null;
  upstream: Array<{ name: string; assetKey: string; mapping: string }>;
  downstream: string[];
  status: AssetStatus;
  reason: string;
  rootCause: RootCauseView | null;
  counts: PartitionCounts;
  lastMaterializedAt: string | null;
  latest: (MaterializationView & { metadata: Record<string, unknown>; inputs: LineageInputView[] }) | null;
  partitionStates: PartitionCell[];
  history: MaterializationView[];
  checks: CheckView[];
  computedAt: string;
}

const HISTORY_LIMIT = 60;

function durationOf(metadata: Record<string, unknown>): number | null {
  return typeof metadata.durationMs === 'number' ? metadata.durationMs : null;
}

function messageOf(metadata: Record<string, unknown>): string | null {
  return typeof metadata.message === 'string' ? metadata.message : null;
}

/**
 * Everything the asset page shows about one asset: definition, schema, status and per-partition
 * states, the latest materialization with the upstream versions it read, history and checks.
 *
 * @example
 * const detail = await loadAssetDetail(runtime, await statusCache.get(), 'daily_stats');
 */
export async function loadAssetDetail(
  runtime: ShopflowRuntime,
  snapshot: StatusSnapshot,
  key: string,
): Promise<AssetDetail> {
  const graph = runtime.graph;
  const asset = graph.get(key);
  const classification = await runtime.classification();
  const classes = classification.columns.get(key) ?? [];
  const [history, evaluations] = await Promise.all([
    runtime.store.listMaterializations({ assetKey: key, limit: HISTORY_LIMIT }),
    runtime.store.latestCheckEvaluations({ assetKey: key }),
  ]);
  const inputAssets = [...new Set((history[0]?.inputs ?? []).map((i) => i.assetKey))];
  const currentVersion = new Map(
    (inputAssets.length ? await runtime.store.listAssetPartitionStates(inputAssets) : []).map((s) => [
      `${s.assetKey}\u0000${s.partitionKey ?? ''}`,
      s.dataVersion,
    ]),
  );
  const summary = snapshot.report.statuses.get(key);
  const view = (m: (typeof history)[number]): MaterializationView => ({
    id: m.id,
    runId: m.runId,
    partitionKey: m.partitionKey,
    rowCount: m.rowCount,
    durationMs: durationOf(m.metadata),
    dataVersion: m.dataVersion,
    codeVersion: m.codeVersion,
    createdAt: m.createdAt,
  });
  const latest = history[0]
    ? {
        ...view(history[0]),
        // NOTE: the quarantined rows a write samples are personal data like any other row shown.
        metadata: maskMaterializationMetadata(history[0].metadata, assetMasking(asset, classification)),
        inputs: history[0].inputs.map((i) => ({
          ...i,
          current: currentVersion.get(`${i.assetKey}\u0000${i.partitionKey ?? ''}`) === i.dataVersion,
        })),
      }
    : null;
  const checks = asset.checks.map((check): CheckView => {
    const own = evaluations
      .filter((e) => e.checkName === check.name)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    const failing = own.filter((e) => !e.passed);
    return {
      name: check.name,
      severity: check.severity,
      description: check.description,
      latest: own[0]
        ? {
            passed: own[0].passed,
            partitionKey: own[0].partitionKey,
            createdAt: own[0].createdAt,
            runId: own[0].runId,
            message: messageOf(own[0].metadata),
          }
        : null,
      passing: own.length - failing.length,
      failing: failing.length,
      failingPartitions: failing.slice(0, 20).map((e) => e.partitionKey),
    };
  });
  return {
    key,
    group: asset.group,
    description: asset.description,
    tags: [...asset.tags],
    owners: [...asset.owners],
    codeVersion: asset.codeVersion,
    kind: asset.io.kind,
    freshness: asset.freshness ?? null,
    columns: schemaColumns(asset.schema).map((c) => {
      const r = classes.find((x) => x.column === c.name);
      return {
        ...c,
        classification: r?.classification ?? null,
        classSource: r?.source ?? 'none',
        piiKind: r?.piiKind ?? null,
        computedFrom: (r?.origins ?? []).map((o) => ({
          asset: o.asset,
          column: o.column,
          how: o.masked ? 'masked' : o.reduced ? 'aggregated' : o.transform.toLowerCase(),
        })),
      };
    }),
    partitions: asset.partitions
      ? { kind: asset.partitions.kind, description: asset.partitions.description }
      : null,
    upstream: graph
      .upstream(key)
      .map((d) => ({ name: d.name, assetKey: d.assetKey, mapping: d.mapping.name })),
    downstream: graph.downstream(key),
    status: summary?.status ?? 'missing',
    reason: statusReason(summary, asset.partitions !== undefined),
    rootCause: rootCauseView(summary?.rootCause ?? null),
    counts: partitionCounts(summary),
    lastMaterializedAt: summary?.lastMaterializedAt ?? null,
    latest,
    partitionStates: partitionCells(snapshot.report, key),
    history: history.map(view),
    checks,
    computedAt: snapshot.computedAt.toISOString(),
  };
}
