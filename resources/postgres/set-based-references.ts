import type pg from 'pg';
import { quoteLiteral } from '../../framework/duckdb/sql-template.js';
import { quoteIdentifier as q } from './sql-identifier.js';

/**
 * How a load's rows were checked against the tables they reference: `set-based` — the loader
 * found and locked (`FOR KEY SHARE`, as a foreign-key check does) every referenced row in one
 * statement, then wrote with PostgreSQL's per-row foreign-key triggers off for its own transaction;
 * `per-row` — PostgreSQL's triggers checked each row as it was written.
 */
export type ReferenceCheck = 'set-based' | 'per-row';

/** Anything that runs a query: a pool or a client inside a transaction. */
interface Queryable {
  query(text: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
}

const allowedByPool = new WeakMap<pg.Pool, Promise<boolean>>();

/**
 * Whether the role of `pool`'s connections may turn its own transactions' foreign-key triggers off
 * (`set local session_replication_role = replica`): a superuser (the embedded server), or on
 * PostgreSQL 15 and later a role granted `SET` on that parameter
 * (`grant set on parameter session_replication_role to loader`). Asked once per pool, through
 * `client` (a connection of that pool the caller holds, so a pool of one connection cannot wait
 * for itself).
 *
 * @example
 * if (await mayWriteWithoutRowTriggers(pool, client)) { … }
 */
export async function mayWriteWithoutRowTriggers(pool: pg.Pool, client: Queryable): Promise<boolean> {
  let allowed = allowedByPool.get(pool);
  if (!allowed) {
    allowed = askServer(client);
    allowedByPool.set(pool, allowed);
  }
  return await allowed;
}

async function askServer(client: Queryable): Promise<boolean> {
  try {
    const { rows } = await client.query(
      "select current_setting('is_superuser') = 'on' as superuser, current_setting('server_version_num')::int as version",
    );
    if (rows[0]?.superuser === true) return true;
    if (Number(rows[0]?.version) < 150000) return false;
    const granted = await client.query(
      "select has_parameter_privilege('session_replication_role', 'SET') as allowed",
    );
    return granted.rows[0]?.allowed === true;
  } catch {
    // NOTE: a server that cannot say keeps PostgreSQL's own per-row checks.
    return false;
  }
}

/**
 * The query asking whether `table` has triggers of its own that `session_replication_role =
 * replica` would change: one that fires on ordinary writes (`ENABLE`, which replica mode turns off)
 * or only on replicated ones (`ENABLE REPLICA`, which it turns on). A load into such a table keeps
 * the per-row checks, so that its triggers fire exactly as they would for any other writer. No
 * bind values, so a load sends it with other statements ({@link hasOwnTriggers} reads its rows).
 */
export function ownTriggersQuery(table: string): string {
  return `select exists (select 1 from pg_trigger where tgrelid = ${quoteLiteral(table)}::regclass
    and not tgisinternal and tgenabled in ('O', 'R')) as found`;
}

/** Reads the rows of {@link ownTriggersQuery}. */
export function hasOwnTriggers(result: { rows: Array<Record<string, unknown>> }): boolean {
  return result.rows[0]?.found === true;
}

/** One single-column foreign key of a table: its column and the column it references. */
export interface ForeignKey {
  column: string;
  /** Schema-qualified referenced table. */
  table: string;
  references: string;
}

/**
 * The query reading the foreign keys of `table` (schema-qualified) from the catalog; no bind values
 * ({@link foreignKeysOf} reads its rows).
 */
export function foreignKeysQuery(table: string): string {
  return `select array_length(c.conkey, 1) as width, a.attname as "column",
       rn.nspname || '.' || r.relname as "table", ra.attname as "references"
     from pg_constraint c
     join pg_class r on r.oid = c.confrelid
     join pg_namespace rn on rn.oid = r.relnamespace
     join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
     join pg_attribute ra on ra.attrelid = c.confrelid and ra.attnum = c.confkey[1]
     where c.contype = 'f' and c.conrelid = ${quoteLiteral(table)}::regclass
     order by c.conname`;
}

/**
 * The foreign keys of a table from the rows of {@link foreignKeysQuery}; `complete` is false when
 * one of them has several columns (the set-based check covers single-column keys only).
 */
export function foreignKeysOf(result: { rows: Array<Record<string, unknown>> }): {
  keys: ForeignKey[];
  complete: boolean;
} {
  const { rows } = result;
  const keys = rows.map((row) => ({
    column: String(row.column),
    table: String(row.table),
    references: String(row.references),
  }));
  // NOTE: names the loader cannot quote plainly (upper case, spaces) keep the per-row checks too.
  const plain = (name: string) => /^[a-z_][a-z0-9_]*$/.test(name);
  return {
    keys,
    complete:
      rows.every((row) => Number(row.width) === 1) &&
      keys.every((k) => plain(k.column) && plain(k.references) && k.table.split('.').every(plain)),
  };
}

/**
 * The values one foreign key of the written rows takes: `values` is a query of one column `v`
 * (the distinct non-null values), looked up as `table.column`.
 */
export interface ReferencedValues {
  /** Schema-qualified table that must hold each value. */
  table: string;
  /** Its column the values are looked up in. */
  column: string;
  /** `select … as v from …`: the values (duplicates and nulls are dropped here). */
  values: string;
}

/**
 * One statement that locks every row `references` name (`FOR KEY SHARE`, the lock a foreign-key
 * check takes: the row can be neither deleted nor re-keyed until this transaction ends) and, when
 * every value was found, turns this transaction's foreign-key triggers off
 * (`session_replication_role = replica`, local to the transaction). Its one row says how many
 * values had no row (`missing`); when that is above 0 nothing was turned off, and PostgreSQL checks
 * each written row as usual (and names the offending one).
 *
 * @example
 * await client.query(lockReferencedRows([{ table: 'shopflow.customers', column: 'customer_id',
 *   values: 'select customer_id as v from stage' }]));
 */
export function lockReferencedRows(references: readonly ReferencedValues[]): string {
  if (references.length === 0) {
    return "select 0 as missing, set_config('session_replication_role', 'replica', true) as role";
  }
  const ctes = references.flatMap((ref, i) => [
    `k${i} as (select distinct v from (${ref.values}) k where v is not null)`,
    `l${i} as (select r.${q(ref.column)} from ${q(ref.table)} r join k${i} on r.${q(ref.column)} = k${i}.v for key share of r)`,
  ]);
  const missing = references
    .map((_, i) => `((select count(*) from k${i}) - (select count(*) from l${i}))`)
    .join(' + ');
  return `with ${ctes.join(',\n')}
select missing, case when missing = 0 then set_config('session_replication_role', 'replica', true) end as role
from (select ${missing} as missing) m`;
}

/** Turns the transaction's foreign-key triggers back on (after the writes they were off for). */
export const RESTORE_ROW_TRIGGERS = `select set_config('session_replication_role', ${quoteLiteral('origin')}, true)`;
