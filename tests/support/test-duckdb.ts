import { afterAll, beforeAll } from 'vitest';
import { DuckDbEngine, type DuckDbSession } from '../../framework/duckdb/duckdb-session.js';

/**
 * One in-memory DuckDB session for the test file, opened before its tests and closed after them.
 *
 * @example
 * const duckdb = useDuckDbSession();
 * test('…', async () => { await duckdb().query('select 1'); });
 */
export function useDuckDbSession(): () => DuckDbSession {
  let engine: DuckDbEngine;
  let session: DuckDbSession;
  beforeAll(async () => {
    engine = new DuckDbEngine();
    session = await engine.session();
  });
  afterAll(async () => {
    session.close();
    await engine.close();
  });
  return () => session;
}
