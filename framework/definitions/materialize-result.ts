/**
 * What `materialize` returns when the asset wrote its data itself (to PostgreSQL, an object store …):
 * the framework records it as the materialization. Without a `dataVersion`, the framework hashes
 * the row count and metadata.
 */
export class MaterializeResult {
  constructor(
    readonly value: { rowCount?: number | null; dataVersion?: string; metadata?: Record<string, unknown> },
  ) {}
}

/** Shorthand for `new MaterializeResult(value)`. */
export function materialized(value: MaterializeResult['value']): MaterializeResult {
  return new MaterializeResult(value);
}
