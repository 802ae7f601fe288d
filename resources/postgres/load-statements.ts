import { quoteLiteral } from '../../framework/duckdb/sql-template.js';
import { keptTempTable } from './kept-temp-table.js';
import type { ForeignKey, ReferencedValues } from './set-based-references.js';
import { quoteIdentifier as q } from './sql-identifier.js';
import { type TableSpec, targetColumns } from './table-spec.js';

/** The rows a load set aside, with the reason; kept by the session, emptied at commit. */
const REJECTS = keptTempTable('sf_load_rejects', '_row bigint primary key, reason text not null');

/** A statement with its bind values. */
export interface Statement {
  text: string;
  values: unknown[];
}

/**
 * The SQL of one load of `spec`, in execution order: staging and reject tables, the reject pass,
 * the lookup upserts, the write of the target (a plain insert, or the upsert) and a sample of
 * rejected rows. Pure text generation (identifiers are validated by {@link validateTableSpec} and
 * quoted here).
 *
 * @example
 * const sql = loadStatements(customersSpec);
 * await client.query(sql.prepare({ workMem: '128MB', randomPageCost: 1.1 }));
 */
export function loadStatements(spec: TableSpec) {
  const target = targetColumns(spec);
  const staging = keptTempTable(
    'sf_load_stage',
    `_row bigint generated always as identity, ${spec.columns
      .map((column) => `${q(column.name)} ${column.type}`)
      .join(', ')}`,
  );
  const stageTable = staging.name;
  const stage = q(stageTable);
  const rejects = q(REJECTS.name);
  const notRejected = `not exists (select 1 from ${rejects} r where r._row = s._row)`;

  // NOTE: both tables are kept by the session (\`keptTempTable\`); the numbering restarts, so \`_row\`
  // stays the row's position in this load's input. One round trip: no bind values.
  const prepare = (settings: { workMem: string; randomPageCost: number }) =>
    [
      `select set_config('work_mem', ${quoteLiteral(settings.workMem)}, true), set_config('random_page_cost', ${quoteLiteral(String(settings.randomPageCost))}, true)`,
      staging.create,
      REJECTS.create,
      `alter table ${stage} alter column _row restart`,
    ].join(';\n');

  // NOTE: key columns copied straight from an incoming column are checked for null automatically,
  // otherwise the upsert itself would fail on the primary key.
  const keyRules = spec.key.flatMap((name) => {
    const column = target.find((c) => c.name === name);
    const incoming = spec.columns.find(
      (c) => column?.expression === `s.${q(c.name)}` || column?.expression === `s.${c.name}`,
    );
    return incoming ? [{ reason: `${incoming.name} is missing`, when: `s.${q(incoming.name)} is null` }] : [];
  });
  const rules = [...keyRules, ...(spec.reject ?? [])];
  const joins: string[] = [];
  const cases = rules.map((rule, index) => {
    if ('when' in rule) return `when (${rule.when}) then $${index + 1}::text`;
    const alias = `o${joins.length}`;
    const column = `s.${q(rule.orphan.column)}`;
    joins.push(
      `left join ${q(rule.orphan.table)} ${alias} on ${alias}.${q(rule.orphan.references)} = ${column}`,
    );
    return `when ${column} is not null and ${alias}.${q(rule.orphan.references)} is null then $${index + 1}::text`;
  });
  const insertRejects: Statement | undefined =
    rules.length === 0
      ? undefined
      : {
          text: `insert into ${rejects} (_row, reason)
select _row, reason from (
  select s._row, case ${cases.join(' ')} end as reason
  from ${stage} s ${joins.join(' ')}
) checked where reason is not null`,
          values: rules.map((rule) => rule.reason),
        };

  // NOTE: new lookup values are inserted in sorted order, so two concurrent loads that both add
  // the same values wait for each other instead of deadlocking.
  /** The lookup upserts; `withRejects` leaves out the values of rejected rows. */
  const lookups = (withRejects: boolean) =>
    (spec.lookups ?? []).map(
      (lookup) => `insert into ${q(lookup.table)} (${q(lookup.naturalKey)})
select value from (
  select distinct s.${q(lookup.from)} as value from ${stage} s
  where s.${q(lookup.from)} is not null${withRejects ? ` and ${notRejected}` : ''}
) seen
where not exists (select 1 from ${q(lookup.table)} l where l.${q(lookup.naturalKey)} = seen.value)
order by value
on conflict (${q(lookup.naturalKey)}) do nothing`,
    );

  const keys = spec.key.map((name) => q(name)).join(', ');
  /** The staged rows as the target's columns (lookups resolved), with their `_row`. */
  const mapped = (withRejects: boolean) => {
    const lookupJoins = (spec.lookups ?? [])
      .map(
        (lookup, index) =>
          `left join ${q(lookup.table)} l${index} on l${index}.${q(lookup.naturalKey)} = s.${q(lookup.from)}`,
      )
      .join(' ');
    return `select s._row, ${target.map((column) => `${column.expression} as ${q(column.name)}`).join(', ')}
    from ${stage} s ${lookupJoins}
    ${withRejects ? `where ${notRejected}` : ''}`;
  };

  /**
   * The write of the staged rows, one row per key (the newest by `versionedBy`, else the last in the
   * input), returning `inserted`, `updated` and `earliest_change`. `withRejects` adds the anti-join
   * on rejected rows (skipped when there are none).
   *
   * `mode: 'insert'` (the fast path) writes them with a plain INSERT: the speculative insertion of
   * an upsert costs about a quarter of a large load's writing (300,000 new transactions: 2.5 s
   * plain against 3.4 s, `bench/pg-load-bench.ts`). When a key is already stored, or another
   * transaction commits one meanwhile, the INSERT fails with a unique violation; the caller then
   * rolls back to a savepoint and writes again with `mode: 'upsert'`
   * (`INSERT … ON CONFLICT DO UPDATE`, only where a compared column changed).
   */
  const write = (withRejects: boolean, mode: 'insert' | 'upsert' = 'upsert') => {
    const names = target.map((column) => q(column.name));
    const newestFirst = spec.versionedBy ? `${q(spec.versionedBy)} desc nulls last, ` : '';
    const updates = target
      .filter((column) => !spec.key.includes(column.name))
      .map((column) => `${q(column.name)} = excluded.${q(column.name)}`);
    const compared = (alias: string) => spec.compare.map((name) => `${alias}.${q(name)}`).join(', ');
    const notOlder = spec.versionedBy
      ? ` and (t.${q(spec.versionedBy)} is null or excluded.${q(spec.versionedBy)} >= t.${q(spec.versionedBy)})`
      : '';
    const changedAt = (alias: string) =>
      spec.versionedBy ? `${alias}.${q(spec.versionedBy)} as changed_at` : 'null::timestamptz as changed_at';
    const oneRowPerKey = `select distinct on (${keys}) * from (
    ${mapped(withRejects)}
  ) mapped
  order by ${keys}, ${newestFirst}_row desc`;
    const onConflict = `on conflict (${keys}) do update set ${[...updates, '"loaded_at" = now()', '"version" = t."version" + 1', '"updated_at" = now()'].join(', ')}
  where (${compared('t')}) is distinct from (${compared('excluded')})${notOlder}
  returning (xmax = 0) as inserted, ${changedAt('t')}`;
    if (mode === 'upsert') {
      return `with incoming as (
  ${oneRowPerKey}
), written as (
  insert into ${q(spec.table)} as t (${names.join(', ')}, "loaded_at")
  select ${names.join(', ')}, now() from incoming
  ${onConflict}
)
select count(*) filter (where inserted) as inserted, count(*) filter (where not inserted) as updated,
  min(changed_at) as earliest_change from written`;
    }
    // NOTE: `incoming` comes out of the sort in key order, so a load whose stored keys sort first
    // (a re-load, a correction of older rows among new ones) fails at its first rows.
    return `with incoming as (
  ${oneRowPerKey}
), written as (
  insert into ${q(spec.table)} as t (${names.join(', ')}, "loaded_at")
  select ${names.join(', ')}, now() from incoming
  returning ${changedAt('t')}
)
select count(*) as inserted, 0 as updated, min(changed_at) as earliest_change from written`;
  };

  /**
   * Whether the first row the plain insert of {@link write} would write (the smallest staged key)
   * is stored already: then that insert is bound to fail at once, so a re-load goes straight to
   * the upsert instead of sorting every row for a try that fails. One pass over the staged rows
   * (a top-1 sort) and one index probe. A hint only: a key stored or deleted meanwhile by another
   * load is still handled by the fallback.
   */
  const firstKeyStored = (withRejects: boolean) => `select exists (
  select 1 from ${q(spec.table)} t join (
    select ${keys} from (
    ${mapped(withRejects)}
    ) mapped order by ${keys} limit 1
  ) first_key using (${keys})
) as stored`;

  /**
   * The values each foreign key of the target takes in this load's rows (see
   * {@link lockReferencedRows}): a column copied straight from a staged column is looked up as it
   * is, a lookup's id by the lookup's natural key. Undefined when a key's values cannot be read
   * from the staged rows (a computed column, or a column the load does not write).
   */
  const referencedValues = (
    keys: readonly ForeignKey[],
    withRejects: boolean,
  ): ReferencedValues[] | undefined => {
    const where = withRejects ? ` where ${notRejected}` : '';
    const values: ReferencedValues[] = [];
    for (const key of keys) {
      const lookup = (spec.lookups ?? []).find((l) => l.id === key.column);
      if (lookup) {
        if (lookup.table !== key.table || lookup.id !== key.references) return undefined;
        values.push({
          table: lookup.table,
          column: lookup.naturalKey,
          values: `select s.${q(lookup.from)} as v from ${stage} s${where}`,
        });
        continue;
      }
      const column = target.find((c) => c.name === key.column);
      const staged = spec.columns.find(
        (c) => column?.expression === `s.${q(c.name)}` || column?.expression === `s.${c.name}`,
      );
      if (!staged) return undefined;
      values.push({
        table: key.table,
        column: key.references,
        values: `select s.${q(staged.name)} as v from ${stage} s${where}`,
      });
    }
    return values;
  };

  /**
   * Deletes the stored rows of one slice of the table (`column` = `$1`, e.g. a delivery day) whose
   * key is not among this load's staged rows, returning how many and the earliest `versionedBy`
   * value among them. Rejected rows count as present: a row rejected now keeps its stored version,
   * as an update that is rejected does.
   */
  const deleteAbsent = (column: string) => {
    const keyTargets = spec.key.map((name) => {
      const expression = target.find((c) => c.name === name)?.expression;
      if (!expression) throw new Error(`key column ${name} of ${spec.table} has no target expression`);
      return `(${expression}) = t.${q(name)}`;
    });
    const changedAt = spec.versionedBy ? `t.${q(spec.versionedBy)}` : 'null::timestamptz';
    return `with deleted as (
  delete from ${q(spec.table)} t
  where t.${q(column)} = $1 and not exists (select 1 from ${stage} s where ${keyTargets.join(' and ')})
  returning ${changedAt} as changed_at
)
select count(*) as deleted, min(changed_at) as earliest_change from deleted`;
  };

  const rejectedSample = `select r._row as "row", r.reason, to_jsonb(s) - '_row' as "values"
from ${rejects} r join ${stage} s using (_row) order by r._row limit $1`;

  return {
    stageTable,
    prepare,
    insertRejects,
    lookups,
    referencedValues,
    write,
    firstKeyStored,
    deleteAbsent,
    rejectedSample,
  };
}
