import type { SqlFragment } from '../../framework/index.js';

/**
 * SQL for the transactions known at each moment of `asOf` (a relation with an `as_of` TIMESTAMPTZ
 * column): those that happened before it *and* were delivered before its day. A late transaction
 * that happened before `as_of` but arrived afterwards was not known then, so a point-in-time
 * feature must not see it. Returns every transaction column plus `as_of`.
 *
 * @example
 * knownTransactions(deps.transactions, `select TIMESTAMPTZ '2024-02-05 00:00:00+00' as as_of`)
 */
export function knownTransactions(transactions: SqlFragment, asOf: string): string {
  return `select a.as_of, t.*
    from (${asOf}) a
    join ${transactions.toSql()} t
      on t.transaction_ts < a.as_of and t.delivery_date < a.as_of::DATE`;
}

/**
 * SQL for the one-row relation holding the moment the whole extract is known: midnight (UTC) after
 * the latest delivery day.
 *
 * @example
 * latestAsOf(deps.transactions) // select (max(delivery_date) + 1)::TIMESTAMPTZ as as_of from …
 */
export function latestAsOf(transactions: SqlFragment): string {
  return `select (max(delivery_date) + 1)::TIMESTAMPTZ as as_of from ${transactions.toSql()}`;
}
