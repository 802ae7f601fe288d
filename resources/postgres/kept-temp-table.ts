import { createHash } from 'node:crypto';
import { quoteIdentifier } from './sql-identifier.js';

/**
 * A temporary table that a session keeps from one transaction to the next and that every commit
 * empties (`on commit delete rows`): creating a table and dropping it at commit writes and removes
 * catalog rows each time, which for a day's load of a few hundred rows costs more than the load.
 * Its name is `prefix` plus a hash of its definition, so a session never finds one of another shape.
 *
 * @example
 * const stage = keptTempTable('sf_load_stage', 'id bigint, name text');
 * await client.query(stage.create); // create temp table if not exists "sf_load_stage_1a2b…" (…) on commit delete rows
 */
export function keptTempTable(prefix: string, definition: string): { name: string; create: string } {
  const name = `${prefix}_${createHash('sha256').update(definition).digest('hex').slice(0, 10)}`;
  return {
    name,
    create: `create temp table if not exists ${quoteIdentifier(name)} (${definition}) on commit delete rows`,
  };
}
