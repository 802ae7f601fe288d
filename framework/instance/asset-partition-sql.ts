import { type RawBuilder, sql } from 'kysely';
import { NEVER_MATERIALIZED, ROW_SEPARATOR } from './asset-partition-items.js';

// NOTE: apart from the item codecs (asset-partition-items.ts), which the planner uses without
// loading Kysely.

/** The SQL expression of a row's items: its attempt items, then its latest items (12 in all). */
export function stateItemsSql(): RawBuilder<string> {
  return sql<string>`${sql.ref('attempt_items')} || ',' || coalesce(${sql.ref('latest_items')}, ${NEVER_MATERIALIZED})`;
}

/** The SQL expression that joins a row's items into one JSON array (same text on both dialects). */
export function stateArraySql(): RawBuilder<string> {
  return sql<string>`'[' || ${stateItemsSql()} || ']'`;
}

/**
 * The SQL expression that aggregates an asset's rows (group by `asset_key`) into one text: each
 * row's items (see {@link stateItemsSql}), separated by {@link ROW_SEPARATOR}.
 *
 * @example
 * db.selectFrom('asset_partitions').select(['asset_key', plannerStatesSql('sqlite').as('states')]).groupBy('asset_key');
 */
export function plannerStatesSql(backend: 'sqlite' | 'postgres'): RawBuilder<string> {
  // NOTE: the one aggregate both dialects have under different names.
  const aggregate = sql.raw(backend === 'postgres' ? 'string_agg' : 'group_concat');
  return sql<string>`${aggregate}(${stateItemsSql()}, ${ROW_SEPARATOR})`;
}
