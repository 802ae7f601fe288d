import {
  type AssetCheck,
  type CheckSeverity,
  defineCheck,
  type StoredColumn,
  type StoredTypeMismatch,
  storedTypeMismatches,
} from '../../framework/index.js';

/** One sentence naming every column whose stored type differs from the declared one. */
export function describeMismatches(mismatches: StoredTypeMismatch[]): string {
  return mismatches
    .map((m) =>
      m.stored === null
        ? `\`${m.column}\` (declared ${m.declared}) is not stored`
        : `\`${m.column}\` is stored as ${m.stored} but declared ${m.declared}`,
    )
    .join('; ');
}

/**
 * Every column the asset's schema declares is stored with the declared type: a `decimal(18, 2)`
 * column must be stored as `DECIMAL(18,2)`, not as `DOUBLE` or another precision. Uses the types
 * of the written Parquet that lake tables record with the materialization (`metadata.schema`),
 * otherwise DuckDB's `DESCRIBE` of the data; assets stored where DuckDB cannot read need their own
 * variant (PostgreSQL: `postgresStoredTypes`).
 *
 * @example
 * checks: [storedTypes()]
 */
export function storedTypes(options: { name?: string; severity?: CheckSeverity } = {}): AssetCheck {
  return defineCheck({
    name: options.name ?? 'stored_types_match_schema',
    severity: options.severity ?? 'error',
    description:
      'every declared column is stored with its declared type (DECIMAL precision and scale included)',
    async evaluate({ duckdb, data, columns, materialization }) {
      const recorded = materialization.metadata.schema;
      const stored: StoredColumn[] = Array.isArray(recorded)
        ? (recorded as StoredColumn[])
        : (await duckdb.query(`describe select * from ${data.toSql()}`)).map((r) => ({
            name: String(r.column_name),
            type: String(r.column_type),
          }));
      return storedTypesResult(columns.length, storedTypeMismatches(columns, stored));
    },
  });
}

/** The check result for `mismatches` among `declared` columns. */
export function storedTypesResult(declared: number, mismatches: StoredTypeMismatch[]) {
  return {
    passed: mismatches.length === 0,
    message:
      mismatches.length === 0
        ? `the ${declared} declared columns are stored with their declared types`
        : describeMismatches(mismatches),
    metadata: { mismatches },
  };
}
