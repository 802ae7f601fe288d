/**
 * The SQL condition "version `dimension` is the one to use at time `at`": the version whose
 * `[valid_from, valid_to)` contains `at`, where the first version (version 1) also covers every
 * earlier time. A merge keeps the versions of a natural key tiling `[first valid_from, infinity)`,
 * so joined on the natural key the condition matches exactly one version for any time, and a fact
 * recorded before its entity's first known version (a profile captured after the first sale)
 * resolves to that first version instead of to nothing.
 *
 * Both arguments are SQL expressions the caller controls (aliases and column names), never input.
 *
 * @example
 * `join shopflow_dw.dim_customer c on c.customer_id = s.customer_id and ${versionValidAt('c', 's.transaction_ts')}`
 * // … and s.transaction_ts < c.valid_to and (s.transaction_ts >= c.valid_from or c.version = 1)
 */
export function versionValidAt(dimension: string, at: string): string {
  return `${at} < ${dimension}."valid_to" and (${at} >= ${dimension}."valid_from" or ${dimension}."version" = 1)`;
}
