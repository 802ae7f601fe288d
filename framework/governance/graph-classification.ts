import type { AnyAsset } from '../definitions/define-asset.js';
import type { DuckDbSession } from '../duckdb/duckdb-session.js';
import type { AssetGraph } from '../graph/asset-graph.js';
import { type PiiKind, SENSITIVITIES, type Sensitivity, schemaColumns } from '../io/schema-columns.js';
import { type AssetColumnLineage, graphColumnLineage } from '../lineage/asset-column-lineage.js';
import type { ColumnOrigin } from '../lineage/sql-column-lineage.js';
import {
  type ColumnClass,
  type ColumnClassification,
  classifyColumns,
  DEFAULT_MASK_POLICY,
} from './column-classification.js';

/** The resolved class of one column, with where it came from. */
export interface ResolvedColumn {
  column: string;
  /** Null when nothing classifies the column (a `shopflow docs --check` failure). */
  classification: Sensitivity | null;
  /** The kind of personal data the values are (declared, or inherited from the columns copied). */
  piiKind: PiiKind | null;
  /**
   * `declared` on the column, `inherited` from its upstream columns, the asset's `classification`
   * for columns nothing traces (`asset`), or `none`.
   */
  source: 'declared' | 'inherited' | 'asset' | 'none';
  /** What the column's lineage alone gives it (null when its lineage cannot be traced). */
  inherited: { classification: Sensitivity; piiKind: PiiKind | null } | null;
  /** The reason a declared class is less strict than the inherited one. */
  reason: string | null;
  /** The upstream columns it is computed from (empty for an untraced column). */
  origins: ColumnOrigin[];
  /** References its lineage could not trace. */
  unresolved: string[];
}

/** A column that breaks the classification rules, as `shopflow docs --check` reports it. */
export interface ClassificationProblem {
  asset: string;
  column: string;
  message: string;
}

export interface GraphClassification {
  columns: ReadonlyMap<string, readonly ResolvedColumn[]>;
  problems: readonly ClassificationProblem[];
}

const rank = (s: Sensitivity) => SENSITIVITIES.indexOf(s);
const stricter = (a: Sensitivity, b: Sensitivity) => (rank(a) >= rank(b) ? a : b);

/** The class personal data of `kind` has at least. */
export function sensitivityOfPii(kind: PiiKind): Sensitivity {
  return kind === 'payment' ? 'restricted' : 'confidential';
}

/**
 * What a column computed from `origins` inherits: the strictest class among them; a value reduced
 * by a mask or an aggregate (a count, a sum) is at most `internal` and no longer personal data; a
 * column computed from no column at all (a constant, `count(*)`) is `internal`.
 */
function inherit(
  origins: readonly ColumnOrigin[],
  classOf: (asset: string, column: string) => ResolvedColumn | undefined,
): { classification: Sensitivity; piiKind: PiiKind | null } | null {
  let classification: Sensitivity = origins.length ? 'public' : 'internal';
  const kinds = new Set<PiiKind>();
  for (const origin of origins) {
    const upstream = classOf(origin.asset, origin.column);
    if (!upstream?.classification) return null;
    if (origin.reduced) {
      classification = stricter(
        classification,
        rank(upstream.classification) > 1 ? 'internal' : upstream.classification,
      );
      continue;
    }
    classification = stricter(classification, upstream.classification);
    if (upstream.piiKind) kinds.add(upstream.piiKind);
  }
  const piiKind = kinds.size === 0 ? null : kinds.size === 1 ? [...kinds][0]! : 'other';
  return { classification, piiKind };
}

/**
 * Classifies every column of the graph, upstream first: a class declared on the column wins (one
 * less strict than the inherited class needs `classificationReason`); otherwise the column inherits
 * from the columns its lineage traces it to; otherwise the asset's `classification`; otherwise it
 * is unclassified. Problems name the asset and column.
 *
 * @example
 * const { columns, problems } = classifyGraph(definitions.graph, await graphColumnLineage(graph, duckdb));
 */
export function classifyGraph(
  graph: AssetGraph,
  lineage: ReadonlyMap<string, AssetColumnLineage>,
): GraphClassification {
  const columns = new Map<string, ResolvedColumn[]>();
  const problems: ClassificationProblem[] = [];
  const classOf = (asset: string, column: string) => columns.get(asset)?.find((c) => c.column === column);
  for (const key of graph.toposorted()) {
    const asset = graph.get(key);
    const traced = new Map((lineage.get(key)?.columns ?? []).map((c) => [c.column, c]));
    const resolved = schemaColumns(asset.schema).map((info): ResolvedColumn => {
      const trace = traced.get(info.name);
      const origins = trace?.origins ?? [];
      const unresolved = trace ? trace.unresolved : [];
      const inherited = trace && unresolved.length === 0 ? inherit(origins, classOf) : null;
      const declaredPii = info.piiKind ? sensitivityOfPii(info.piiKind) : null;
      const declared =
        info.classification && declaredPii
          ? stricter(info.classification, declaredPii)
          : (info.classification ?? declaredPii);
      const base = { column: info.name, inherited, origins, unresolved, reason: info.classificationReason };
      if (declared) {
        if (inherited && rank(declared) < rank(inherited.classification) && !info.classificationReason) {
          problems.push({
            asset: key,
            column: info.name,
            message: `declares ${declared} but inherits ${inherited.classification} from ${origins
              .map((o) => `${o.asset}.${o.column}`)
              .join(
                ', ',
              )}; add meta({ classificationReason: '…' }) saying why, or declare ${inherited.classification}`,
          });
          // NOTE: fails closed: until a reason is given, the column keeps the class it inherits.
          return { ...base, ...inherited, source: 'inherited' };
        }
        return {
          ...base,
          classification: declared,
          piiKind:
            info.piiKind ??
            (rank(declared) >= rank(inherited?.classification ?? 'public')
              ? (inherited?.piiKind ?? null)
              : null),
          source: 'declared',
        };
      }
      if (inherited) {
        // NOTE: a number or a flag computed from an email is confidential, but no longer an email
        // its kind's mask could show part of: such values are redacted.
        const piiKind = inherited.piiKind && !info.type.startsWith('VARCHAR') ? 'other' : inherited.piiKind;
        return { ...base, ...inherited, piiKind, source: 'inherited' };
      }
      if (asset.classification) {
        // NOTE: what the column does trace to still counts: the asset's class never lowers it.
        const partial = inherit(
          origins.filter((o) => classOf(o.asset, o.column)?.classification),
          classOf,
        );
        const classification =
          partial && origins.length
            ? stricter(asset.classification, partial.classification)
            : asset.classification;
        return { ...base, classification, piiKind: partial?.piiKind ?? null, source: 'asset' };
      }
      problems.push({
        asset: key,
        column: info.name,
        message: trace
          ? unresolved.length
            ? `is unclassified: its lineage cannot be traced (${unresolved.join(', ')}); declare meta({ classification }) on it`
            : `is unclassified: it is computed from unclassified ${origins
                .filter((o) => !classOf(o.asset, o.column)?.classification)
                .map((o) => `\`${o.asset}.${o.column}\``)
                .join(', ')}`
          : `is unclassified: ${lineage.get(key)?.reason ?? 'its asset has no statement'}; declare meta({ classification }) or meta({ pii }) on it, the asset's classification, or columnsFrom`,
      });
      return { ...base, classification: null, piiKind: null, source: 'none' };
    });
    columns.set(key, resolved);
  }
  return { columns, problems };
}

const cache = new WeakMap<AssetGraph, Promise<GraphClassification>>();

/**
 * The classification of `graph`'s columns, computed once per graph (the statements are parsed on
 * a DuckDB session from `openSession`, closed afterwards).
 *
 * @example
 * const { columns } = await graphClassification(runtime.graph, () => runtime.engine.session());
 */
export function graphClassification(
  graph: AssetGraph,
  openSession: () => Promise<DuckDbSession>,
): Promise<GraphClassification> {
  let found = cache.get(graph);
  if (!found) {
    found = (async () => {
      const duckdb = await openSession();
      try {
        return classifyGraph(graph, await graphColumnLineage(graph, duckdb));
      } finally {
        duckdb.close();
      }
    })();
    cache.set(graph, found);
  }
  return found;
}

/**
 * The masking view of one asset's resolved columns: confidential and restricted columns are
 * sensitive, masked by their kind's policy (a declared `mask` wins), redacted when not personal.
 */
export function maskingClassification(
  asset: AnyAsset,
  resolved: readonly ResolvedColumn[],
): ColumnClassification {
  const declared = new Map(schemaColumns(asset.schema).map((c) => [c.name, c]));
  const sensitive = resolved.filter(
    (c) => c.classification && rank(c.classification) >= rank('confidential'),
  );
  const classes = new Map(
    resolved.map((c): [string, ColumnClass] => [c.column, sensitive.includes(c) ? 'pii' : 'none']),
  );
  const policies = new Map(
    sensitive.map((c) => [
      c.column,
      declared.get(c.column)?.mask ?? (c.piiKind ? DEFAULT_MASK_POLICY[c.piiKind] : ('redact' as const)),
    ]),
  );
  return Object.assign(classes, { policyOf: (name: string) => policies.get(name) ?? ('redact' as const) });
}

/**
 * How to mask rows of an asset: by the graph's resolved classes when it has them for the asset,
 * else by its schema's declarations.
 *
 * @example
 * maskRows(sample, assetMasking(asset, await runtime.classification()));
 */
export function assetMasking(asset: AnyAsset, resolved?: GraphClassification): ColumnClassification {
  const columns = resolved?.columns.get(asset.key);
  return columns ? maskingClassification(asset, columns) : classifyColumns(asset.schema);
}
