import { quoteIdentifier as q } from '../../framework/index.js';

/**
 * DuckDB SQL computing SCD Type 2 versions from scratch out of a relation of changes — the full
 * rebuild the incremental PostgreSQL merge must equal: per natural key, changes in time order; a
 * change whose tracked attributes differ from the previous change's starts a version (the first
 * always does); `valid_to` is the next version's start (`infinity` for the current one); versions
 * are numbered 1..n. Silver has one change per (natural key, time); were there two, the smaller
 * attributes would win, deterministically. Names are the caller's constants, never input.
 *
 * @example
 * lakeScd2Versions(deps.silver.toSql(), 'customer_id', ['name', 'email'], 'updated_at');
 */
export function lakeScd2Versions(
  changes: string,
  naturalKey: string,
  tracked: string[],
  changedAt: string,
): string {
  const nk = q(naturalKey);
  const at = q(changedAt);
  const attributes = tracked.map(q);
  const differs = attributes.map((a) => `${a} IS DISTINCT FROM lag(${a}) OVER w`).join(' OR ');
  return `WITH changes AS (
      SELECT ${nk}, ${attributes.join(', ')}, ${at} FROM ${changes}
      QUALIFY row_number() OVER (PARTITION BY ${nk}, ${at} ORDER BY ${attributes.join(', ')}) = 1
    ), marked AS (
      SELECT *, (lag(${at}) OVER w IS NULL OR ${differs}) AS starts_version
      FROM changes WINDOW w AS (PARTITION BY ${nk} ORDER BY ${at})
    )
    SELECT ${nk}, ${attributes.join(', ')},
      ${at} AS valid_from,
      coalesce(lead(${at}) OVER w, 'infinity'::TIMESTAMPTZ) AS valid_to,
      lead(${at}) OVER w IS NULL AS is_current,
      CAST(row_number() OVER w AS INTEGER) AS version
    FROM marked WHERE starts_version
    WINDOW w AS (PARTITION BY ${nk} ORDER BY ${at})
    ORDER BY ${nk}, valid_from`;
}

/**
 * `changedFrom` of a dimension built by {@link lakeScd2Versions}: the earliest instant at which the
 * version valid for some natural key differs between `previous` and `current`. A version whose
 * only change is a shorter or longer validity (closed by a newer version) changes from the earlier
 * of its two ends; any other added, removed or renumbered version from its `valid_from`. This holds
 * for readers that resolve a time to the version starting at or before it (by `valid_from`, as
 * `lake_fact_sales` does), not for readers of `valid_to` or `is_current` themselves. A new first
 * version also changes what times before it resolve to (the first version covers them); a daily
 * reader only resolves sales whose customer or product had a version dated before its day ended
 * (`silver_transactions`), so such a day ends after the old first version, hence after this instant.
 *
 * @example
 * changedFrom: ({ previous, current }) => sql.raw(lakeScd2ChangedFrom(previous.toSql(), current.toSql(), 'customer_id', tracked))
 */
export function lakeScd2ChangedFrom(
  previous: string,
  current: string,
  naturalKey: string,
  tracked: string[],
): string {
  const nk = q(naturalKey);
  const same = [...tracked, 'version'].map((c) => `o.${q(c)} IS NOT DISTINCT FROM n.${q(c)}`).join(' AND ');
  return `WITH o AS (SELECT * FROM ${previous} EXCEPT ALL SELECT * FROM ${current}),
      n AS (SELECT * FROM ${current} EXCEPT ALL SELECT * FROM ${previous})
    SELECT min(CASE WHEN o.${nk} IS NOT NULL AND n.${nk} IS NOT NULL AND ${same}
        THEN least(o.valid_to, n.valid_to)
        ELSE least(o.valid_from, n.valid_from) END)
    FROM o FULL JOIN n ON o.${nk} = n.${nk} AND o.valid_from = n.valid_from`;
}
