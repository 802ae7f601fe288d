import type pg from 'pg';
import { isConnectionError, isUniqueViolation } from './postgres-error.js';

/**
 * Runs `fn` inside `begin … commit` on one pooled client; rolls back and rethrows when it throws.
 * A client whose connection broke is destroyed instead of being returned to the pool. `prelude`
 * (statements without bind values) is sent with the `begin`, in the same round trip; `fn` gets the
 * result of each of its statements, in order.
 *
 * @example
 * const id = await withTransaction(pool, async (client) => {
 *   await client.query('insert into t (x) values (1)');
 *   return (await client.query('select max(id) from t')).rows[0].max;
 * });
 */
export async function withTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient, prelude: pg.QueryResult[]) => Promise<T>,
  prelude?: string,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // NOTE: a checked-out client has no error listener; a server-side termination while `fn` awaits
  // something else would otherwise be an uncaught 'error' event that ends the process.
  const onError = (error: Error) => {
    broken = error;
  };
  client.on('error', onError);
  try {
    // NOTE: several statements in one simple query come back as one result each.
    const begun = (await client.query(prelude ? `begin;\n${prelude}` : 'begin')) as
      | pg.QueryResult
      | pg.QueryResult[];
    const result = await fn(client, Array.isArray(begun) ? begun.slice(1) : []);
    await client.query('commit');
    return result;
  } catch (error) {
    if (isConnectionError(error)) broken ??= error as Error;
    if (!broken) {
      await client.query('rollback').catch((rollbackError: unknown) => {
        broken = rollbackError as Error;
      });
    }
    throw error;
  } finally {
    client.removeListener('error', onError);
    client.release(broken);
  }
}

/** Runs `statements` (no bind values) in one round trip, as one simple query; one result per statement. */
async function queryAll(client: pg.ClientBase, statements: readonly string[]): Promise<pg.QueryResult[]> {
  const results = (await client.query(statements.join(';\n'))) as pg.QueryResult | pg.QueryResult[];
  return Array.isArray(results) ? results : [results];
}

/** What {@link queryWithUniqueFallback} ran, by part. */
export interface FallbackResults {
  /**
   * Whether `fallback` ran instead of `first`: the first try failed on a unique violation, or
   * `probe` said it would.
   */
  fellBack: boolean;
  /**
   * One result per `before` statement; empty when a first try without a `probe` failed (their
   * results went with the failed round trip, their effects stand).
   */
  before: pg.QueryResult[];
  /** One result per `first` statement, or per `fallback` statement after a fallback. */
  main: pg.QueryResult[];
  /** One result per `after` statement. */
  after: pg.QueryResult[];
}

/** The savepoint of {@link queryWithUniqueFallback}. */
export const UNIQUE_FALLBACK_SAVEPOINT = 'sf_unique_fallback';

/**
 * Runs `before`, then `first` after a savepoint, then `after`, in one round trip (statements
 * without bind values, inside a transaction). When `first` fails with a unique violation, rolls
 * back to the savepoint (`before` stands) and runs `fallback`, then `after`, in a second round trip;
 * any other error is thrown. A load uses it to try a plain INSERT and fall back to an upsert.
 *
 * With a `probe` (a query of one row whose `stored` column is true when `first` is bound to fail
 * on a key, such as a re-load whose first key is stored), `before` and the probe run in a round
 * trip of their own, and when the probe says so `fallback` runs without the first try.
 *
 * @example
 * const { fellBack, main } = await queryWithUniqueFallback(client, {
 *   first: ['insert into t select * from stage'],
 *   fallback: ['insert into t select * from stage on conflict (id) do update set v = excluded.v'],
 * });
 */
export async function queryWithUniqueFallback(
  client: pg.ClientBase,
  statements: {
    before?: readonly string[];
    probe?: string;
    first: readonly string[];
    fallback: readonly string[];
    after?: readonly string[];
  },
): Promise<FallbackResults> {
  const before = statements.before ?? [];
  if (statements.probe === undefined) return await tryFirst(client, before, statements);
  const results = await queryAll(client, [...before, statements.probe]);
  const ran = results.slice(0, before.length);
  if (results.at(-1)?.rows[0]?.stored !== true)
    return { ...(await tryFirst(client, [], statements)), before: ran };
  const after = statements.after ?? [];
  const rest = await queryAll(client, [...statements.fallback, ...after]);
  return {
    fellBack: true,
    before: ran,
    main: rest.slice(0, statements.fallback.length),
    after: rest.slice(statements.fallback.length),
  };
}

/** The savepoint, `first` and, on a unique violation, the fallback of {@link queryWithUniqueFallback}. */
async function tryFirst(
  client: pg.ClientBase,
  before: readonly string[],
  statements: { first: readonly string[]; fallback: readonly string[]; after?: readonly string[] },
): Promise<FallbackResults> {
  const after = statements.after ?? [];
  try {
    const results = await queryAll(client, [
      ...before,
      `savepoint ${UNIQUE_FALLBACK_SAVEPOINT}`,
      ...statements.first,
      `release savepoint ${UNIQUE_FALLBACK_SAVEPOINT}`,
      ...after,
    ]);
    const main = before.length + 1;
    return {
      fellBack: false,
      before: results.slice(0, before.length),
      main: results.slice(main, main + statements.first.length),
      after: results.slice(main + statements.first.length + 1),
    };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const results = await queryAll(client, [
      `rollback to savepoint ${UNIQUE_FALLBACK_SAVEPOINT}`,
      ...statements.fallback,
      ...after,
    ]);
    return {
      fellBack: true,
      before: [],
      main: results.slice(1, 1 + statements.fallback.length),
      after: results.slice(1 + statements.fallback.length),
    };
  }
}
