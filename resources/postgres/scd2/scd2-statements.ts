import { quoteIdentifier as q } from '../sql-identifier.js';
import { absorbedTableOf, type Scd2FactReference, type Scd2Spec } from './scd2-spec.js';
import { versionValidAt } from './version-valid-at.js';

/** Temporary tables of one merge; all vanish at commit or rollback. */
export const SCD2_TEMP_TABLES = {
  stage: 'sf_scd2_stage',
  keys: 'sf_scd2_keys',
  old: 'sf_scd2_old',
  events: 'sf_scd2_events',
  chain: 'sf_scd2_chain',
  touched: 'sf_scd2_touched',
} as const;

/**
 * The SQL of one SCD2 merge of `spec`, in execution order (see `merge-scd2.ts` for the algorithm).
 * Pure text generation: names are validated by `validateScd2Spec` and quoted here; the only bind
 * value is the dimension's name (`$1`) where noted.
 *
 * @example
 * const sql = scd2Statements(spec);
 * await client.query(sql.createStage);
 */
export function scd2Statements(spec: Scd2Spec) {
  const table = q(spec.table);
  const absorbed = q(absorbedTableOf(spec));
  const sk = q(spec.surrogateKey);
  const nk = q(spec.naturalKey);
  const tracked = spec.tracked.map((name) => q(name));
  const { stage, keys, old, events, chain, touched } = Object.fromEntries(
    Object.entries(SCD2_TEMP_TABLES).map(([name, value]) => [name, q(value)]),
  ) as Record<keyof typeof SCD2_TEMP_TABLES, string>;
  const list = (alias: string) => tracked.map((name) => `${alias}.${name}`).join(', ');
  const same = (a: string, b: string) =>
    tracked.map((name) => `${a}.${name} is not distinct from ${b}.${name}`).join(' and ');
  const inKeys = `in (select ${nk} from ${keys})`;

  // NOTE: the stage copies the target's column types, so incoming text is parsed exactly as the
  // dimension stores it and comparisons with stored versions are exact.
  const createStage = [
    `create temp table ${stage} on commit drop as
select ${nk}, ${tracked.join(', ')}, "valid_from" as ${q(spec.changedAt)} from ${table} with no data`,
    `alter table ${stage} add column "_row" bigint generated always as identity`,
  ];
  const stageColumns = `select attname as name, format_type(atttypid, atttypmod) as type
from pg_attribute where attrelid = '${SCD2_TEMP_TABLES.stage}'::regclass and attnum > 0
  and not attisdropped and attname <> '_row' order by attnum`;
  const firstIncomplete = `select "_row" as row from ${stage}
where ${nk} is null or ${q(spec.changedAt)} is null order by "_row" limit 1`;

  const createKeys = `create temp table ${keys} on commit drop as select distinct ${nk} from ${stage}`;
  const analyze = [`analyze ${stage}`, `analyze ${keys}`];
  // NOTE: without statistics the planner takes the touched versions for a page's worth (1,850 rows)
  // and re-points facts by a merge join over the whole fact table's index; knowing they are a few
  // dozen, it probes the index for each (at scale 20: 50–75 ms → under 1 ms per dimension merge).
  const analyzeTouched = `analyze ${touched}`;
  // NOTE: autovacuum rarely gets to analyze a dimension: every fact load holds it in SHARE mode,
  // which conflicts with ANALYZE's lock. With no statistics the planner resolved a day of facts by
  // sorting every customer version (scale 200: 1.1 s a day instead of 0.2 s), so a merge that
  // changed a tenth of the dimension analyzes it itself, inside its transaction.
  const dimensionRows = `select reltuples from pg_class where oid = '${table}'::regclass`;
  const analyzeDimension = `analyze ${table}`;
  const lock = `lock table ${table} in share row exclusive mode`;

  const createOld = `create temp table ${old} on commit drop as
select d.${sk} as "_sk", d.${nk}, ${list('d')}, d."valid_from", d."valid_to", d."version"
from ${table} d where d.${nk} ${inKeys}`;

  // Every known change of the affected keys: stored versions (priority 0), absorbed changes (1),
  // incoming changes (2, later input rows first).
  const createEvents = `create temp table ${events} on commit drop as
select o."_sk", o.${nk}, ${list('o')}, o."valid_from" as "_at", 0 as "_priority", 0::bigint as "_seq"
from ${old} o
union all
select null, r.${nk}, ${list('r')}, a."changed_at", 1, 0
from ${absorbed} a cross join lateral jsonb_populate_record(null::${table}, a."attributes") r
where a."dimension" = $1 and a."natural_key" in (select ${nk}::text from ${keys})
union all
select null, s.${nk}, ${list('s')}, s.${q(spec.changedAt)}, 2, s."_row" from ${stage} s`;

  const lagged = tracked.map((name) => `${name} is distinct from lag(${name}) over w`).join(' or ');
  const createChain = `create temp table ${chain} on commit drop as
with winners as (
  select distinct on (${nk}, "_at") * from ${events} order by ${nk}, "_at", "_priority" desc, "_seq" desc
), identified as (
  select w.${nk}, ${list('w')}, w."_at", w."_priority", coalesce(w."_sk", e."_sk") as "_sk"
  from winners w
  left join ${events} e on e."_priority" = 0 and w."_priority" > 0
    and e.${nk} = w.${nk} and e."_at" = w."_at" and ${same('e', 'w')}
), marked as (
  select i.*, (lag("_at") over w is null or ${lagged}) as "_is_version"
  from identified i window w as (partition by ${nk} order by "_at")
), numbered as (
  select m.*, lead("_at") over w as "_next", row_number() over w as "_version"
  from marked m where "_is_version" window w as (partition by ${nk} order by "_at")
)
select ${nk}, ${tracked.join(', ')}, "_at", "_priority", true as "_is_version", "_sk",
  coalesce("_next", 'infinity') as "_valid_to", "_next" is null as "_is_current", "_version"::integer as "_version"
from numbered
union all
select ${nk}, ${tracked.join(', ')}, "_at", "_priority", false, null, null, null, null
from marked where not "_is_version"`;

  // Stored versions that are deleted (not in the new chain) or whose interval or number changes:
  // the only versions facts may have to leave.
  const createTouched = `create temp table ${touched} on commit drop as
select o."_sk", o.${nk} from ${old} o left join ${chain} c on c."_sk" = o."_sk"
where c."_sk" is null or (o."valid_to", o."version") is distinct from (c."_valid_to", c."_version")`;

  const counts = `select
  (select count(*) from ${chain} where "_is_version" and "_sk" is null and "_priority" = 2) as from_incoming,
  (select count(*) from ${old} o join ${chain} c on c."_sk" = o."_sk" where o."valid_to" <> c."_valid_to") as closed`;

  // The earliest instant at which the version valid for some key changes: an inserted version from
  // its start, a closed or shortened one from the earlier of its two ends, a renumbered or removed
  // one from its start. Null when the merge changes no version.
  const earliestChange = `select least(
  (select min("_at") from ${chain} where "_is_version" and "_sk" is null),
  (select min(least(o."valid_to", c."_valid_to")) from ${old} o join ${chain} c on c."_sk" = o."_sk"
    where o."valid_to" <> c."_valid_to"),
  (select min(o."valid_from") from ${old} o join ${chain} c on c."_sk" = o."_sk" where o."version" <> c."_version"),
  (select min(o."valid_from") from ${old} o where not exists (select 1 from ${chain} c where c."_sk" = o."_sk"))
) as "earliest"`;

  const deleteReplaced = `delete from ${table} d using ${old} o
where d.${sk} = o."_sk" and not exists (select 1 from ${chain} c where c."_sk" = o."_sk")`;

  const updateKept = `update ${table} d
set "valid_to" = c."_valid_to", "is_current" = c."_is_current", "version" = c."_version"
from ${chain} c
where d.${sk} = c."_sk" and (d."valid_to", d."is_current", d."version") is distinct from (c."_valid_to", c."_is_current", c."_version")`;

  const insertNew = `insert into ${table} (${nk}, ${tracked.join(', ')}, "valid_from", "valid_to", "is_current", "version")
select ${nk}, ${tracked.join(', ')}, "_at", "_valid_to", "_is_current", "_version"
from ${chain} where "_is_version" and "_sk" is null order by ${nk}, "_at"`;

  const attributes = `jsonb_build_object(${[spec.naturalKey, ...spec.tracked]
    .map((name) => `'${name}', ${q(name)}`)
    .join(', ')})`;
  const replaceAbsorbed = [
    `delete from ${absorbed} where "dimension" = $1 and "natural_key" in (select ${nk}::text from ${keys})`,
    `insert into ${absorbed} ("dimension", "natural_key", "changed_at", "attributes")
select $1, ${nk}::text, "_at", ${attributes} from ${chain} where not "_is_version"`,
  ];

  /** Re-points the facts that reference a touched version to the version valid at their time. */
  const repoint = (fact: Scd2FactReference) => {
    const fk = q(fact.foreignKey);
    return `update ${q(fact.table)} f set ${fk} = d.${sk}
from ${touched} t join ${table} d on d.${nk} = t.${nk}
where f.${fk} = t."_sk" and ${versionValidAt('d', `f.${q(fact.at)}`)} and f.${fk} <> d.${sk}`;
  };

  return {
    createStage,
    stageColumns,
    firstIncomplete,
    createKeys,
    analyze,
    analyzeTouched,
    dimensionRows,
    analyzeDimension,
    lock,
    createOld,
    createEvents,
    createChain,
    createTouched,
    counts,
    earliestChange,
    deleteReplaced,
    updateKept,
    insertNew,
    replaceAbsorbed,
    repoint,
  };
}
