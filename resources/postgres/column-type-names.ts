import type pg from 'pg';

/**
 * The SQL names of the types of a result's columns (`bigint`, `text`, `numeric(12,2)`,
 * `timestamp with time zone`), as PostgreSQL itself formats them, instead of the type OIDs `pg`
 * reports (`20`, `25`).
 *
 * @example
 * const result = await postgres.query('select * from shopflow.customers limit 5');
 * await columnTypeNames(postgres, result.fields); // ['bigint', 'text', 'text', …]
 */
export async function columnTypeNames(
  postgres: { query(text: string, values?: unknown[]): Promise<pg.QueryResult> },
  fields: readonly pg.FieldDef[],
): Promise<string[]> {
  if (fields.length === 0) return [];
  const { rows } = await postgres.query(
    'select format_type(t.oid, nullif(t.mod, -1)) as name from unnest($1::oid[], $2::int4[]) with ordinality as t(oid, mod, i) order by t.i',
    [fields.map((f) => f.dataTypeID), fields.map((f) => f.dataTypeModifier)],
  );
  return rows.map((row, i) => String(row.name ?? fields[i].dataTypeID));
}
