import type pg from 'pg';
import { isConnectionError } from './postgres-error.js';

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
export async function queryAll(
  client: pg.ClientBase,
  statements: readonly string[],
): Promise<pg.QueryResult[]> {
  const results = (await client.query(statements.join(';\n'))) as pg.QueryResult | pg.QueryResult[];
  return Array.isArray(results) ? results : [results];
}
