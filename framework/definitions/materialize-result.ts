/**
 * What `materialize` returns when the asset wrote its data itself (to PostgreSQL, an object store …):
 * the framework records it as the materialization. Without a `dataVersion`, the framework hashes
 * the row count and metadata. `changedFrom` (for unpartitioned, time-indexed data read through
 * `asOfWindowMapping`): the earliest instant (ISO 8601) from which this version differs from the
 * previous one, `null` when it may differ at any time, `'never'` when time-bounded readers see no
 * difference; readers whose window ends before it are not re-materialized.
 */
export class MaterializeResult {
  constructor(
    readonly value: {
      rowCount?: number | null;
      dataVersion?: string;
      metadata?: Record<string, unknown>;
      changedFrom?: string | null;
    },
  ) {}
}

/** Shorthand for `new MaterializeResult(value)`. */
export function materialized(value: MaterializeResult['value']): MaterializeResult {
  return new MaterializeResult(value);
}
