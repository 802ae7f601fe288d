import type { DuckDbSession } from '../duckdb/duckdb-session.js';
import type { MaterializationRecord } from '../instance/instance-store.js';
import {
  type InputHandle,
  type QuarantineRule,
  type RowPredicate,
  resolvePredicate,
} from '../io/io-target.js';
import type { ColumnInfo } from '../io/schema-columns.js';
import type { ResourceDefinition } from './define-resource.js';

export type CheckSeverity = 'error' | 'warn';

/** What a check sees when it evaluates one freshly written asset partition. */
export interface CheckContext {
  assetKey: string;
  partitionKey: string | null;
  runId: string;
  duckdb: DuckDbSession;
  /** The data just written, as a SQL fragment. */
  data: InputHandle;
  /** The upstream handles the step read (for referential checks). */
  deps: Record<string, InputHandle>;
  /** The columns the asset's schema declares, with their types (for contract checks). */
  columns: ColumnInfo[];
  /**
   * For a check with a {@link AssetCheck.rowRule}: its failing rows over `data`, counted by the
   * executor in one scan with the step's other rules (usually the write's own hashing scan).
   */
  failingRows?: number;
  /** The materialization the check evaluates. */
  materialization: {
    id: string;
    rowCount: number | null;
    dataVersion: string;
    metadata: Record<string, unknown>;
  };
  /** Earlier materializations of the same asset partition, newest first (for anomaly checks). */
  history(limit?: number): Promise<MaterializationRecord[]>;
  /** Earlier materializations of any partition of the asset, newest first (for anomaly checks). */
  assetHistory(limit?: number): Promise<MaterializationRecord[]>;
  resource<T>(definition: ResourceDefinition<T>): Promise<T>;
}

/** The row-level rule of a check: see {@link AssetCheck.rowRule}. */
export interface RowRule {
  validWhen: RowPredicate;
  holdsOnSubsets?: boolean;
  failingCount?: string;
}

export interface CheckResult {
  passed: boolean;
  /** One readable sentence, e.g. "3 rows have a null email". */
  message?: string;
  metadata?: Record<string, unknown>;
}

/**
 * A data-quality check attached to an asset. An `error` check that fails blocks the downstream
 * steps of that partition in the same run; a `warn` check is recorded only. A check with a
 * `quarantine` rule moves failing rows aside while writing instead of failing the asset.
 */
export interface AssetCheck {
  readonly name: string;
  readonly severity: CheckSeverity;
  readonly description: string;
  readonly quarantine?: QuarantineRule;
  /**
   * A row predicate whose failing rows the executor counts for the check (`context.failingRows`),
   * in one scan with the other rules of the step instead of a scan per check. `holdsOnSubsets`:
   * once every row of a set satisfies it, every row of any subset does (see {@link rowCheck}).
   * `failingCount`: an aggregate over the rows equal to the number failing `validWhen`, used
   * where only that number is wanted (see {@link rowCheck}).
   */
  readonly rowRule?: RowRule;
  evaluate(context: CheckContext): Promise<CheckResult>;
}

/**
 * Declares a check.
 *
 * @example
 * defineCheck({
 *   name: 'has_rows', severity: 'error', description: 'at least one row',
 *   evaluate: async ({ materialization }) => ({ passed: (materialization.rowCount ?? 0) > 0 }),
 * });
 */
export function defineCheck(check: {
  name: string;
  severity?: CheckSeverity;
  description: string;
  quarantine?: QuarantineRule;
  rowRule?: RowRule;
  evaluate(context: CheckContext): Promise<CheckResult>;
}): AssetCheck {
  return Object.freeze({ severity: 'error' as const, ...check });
}

/**
 * A row-level rule: every row must satisfy the DuckDB predicate `validWhen` (NULL fails). The
 * evaluation counts failing rows and keeps a sample. With `quarantine: true` failing rows are
 * moved to the asset's quarantine while writing, and the check records how many were moved.
 *
 * @example
 * rowCheck({ name: 'positive_price', validWhen: 'price > 0', quarantine: true })
 */
export function rowCheck(options: {
  name: string;
  validWhen: RowPredicate;
  description?: string;
  severity?: CheckSeverity;
  quarantine?: boolean;
  sampleSize?: number;
  /**
   * The predicate, once it holds on every row of a set, holds on every row of any subset of it,
   * though it looks at other rows (a window function), as uniqueness does: rows the write kept
   * after quarantining by it need no second look.
   */
  holdsOnSubsets?: boolean;
  /**
   * An aggregate over the rows (columns by name) that equals the number of rows failing
   * `validWhen`, for a predicate that looks at other rows and costs more row by row than as a
   * count: uniqueness is `count(*) - count(DISTINCT row(key))`, a hash of the keys instead of a
   * window over them. The executor counts with it where only the number is wanted (the write's
   * scan); the predicate still decides which rows are quarantined and which are sampled.
   */
  failingCount?: string;
}): AssetCheck {
  const sampleSize = options.sampleSize ?? 5;
  const quarantine = options.quarantine ? { name: options.name, validWhen: options.validWhen } : undefined;
  return defineCheck({
    name: options.name,
    severity: options.severity ?? 'error',
    description:
      options.description ??
      (typeof options.validWhen === 'string' ? `every row satisfies \`${options.validWhen}\`` : options.name),
    quarantine,
    rowRule: {
      validWhen: options.validWhen,
      holdsOnSubsets: options.holdsOnSubsets,
      failingCount: options.failingCount,
    },
    async evaluate({ duckdb, data, deps, partitionKey, materialization, failingRows: counted }) {
      const predicate = resolvePredicate(options.validWhen, deps, { partitionKey });
      // NOTE: a predicate built from upstream handles embeds file paths; messages name the rule instead.
      const rule =
        typeof options.validWhen === 'string'
          ? `\`${options.validWhen}\``
          : `\`${options.name}\` (${options.description ?? 'see the check'})`;
      // NOTE: evaluated in the select list, so window functions (uniqueness rules) work too.
      const failing = `select * exclude (__ok) from (select *, coalesce((${predicate}), false) as __ok from ${data.toSql()}) where not __ok`;
      const failingRows =
        counted ?? Number((await duckdb.query(`select count(*)::bigint as n from (${failing})`))[0]!.n);
      const sample = failingRows > 0 ? await duckdb.query(`${failing} limit ${sampleSize}`) : [];
      const quarantined = quarantine
        ? ((materialization.metadata.quarantined as Record<string, { rows: number; sample: unknown[] }>)?.[
            options.name
          ] ?? { rows: 0, sample: [] })
        : undefined;
      const metadata: Record<string, unknown> = { failingRows, sample };
      if (quarantined) {
        metadata.quarantinedRows = quarantined.rows;
        metadata.quarantineSample = quarantined.sample;
      }
      const moved = quarantined && quarantined.rows > 0 ? `; ${quarantined.rows} rows quarantined` : '';
      return {
        passed: failingRows === 0,
        message:
          failingRows === 0 ? `every row satisfies ${rule}${moved}` : `${failingRows} rows fail ${rule}`,
        metadata,
      };
    },
  });
}
