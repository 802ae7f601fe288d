import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import {
  type MaterializeContext,
  type MaterializeResult,
  materialized,
  quoteLiteral,
} from '../../framework/index.js';
import type { LoadContext, LoadResult } from '../../resources/postgres/table-loader.js';
import { postgresWarehouse } from '../resources/postgres-warehouse.js';

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk);
  return hash.digest('hex');
}

/**
 * Exports a DuckDB query to a CSV (ordered, so identical data gives identical bytes), loads it with
 * `load` (staging COPY + upsert + audit), and returns the materialization: rows staged, the load's
 * counts, and the CSV's hash as data version.
 */
export async function loadFromLake(
  context: MaterializeContext,
  query: string,
  load: (pool: pg.Pool, csv: string, loadContext: LoadContext) => Promise<LoadResult>,
): Promise<MaterializeResult> {
  const warehouse = await context.resource(postgresWarehouse);
  const dir = mkdtempSync(join(tmpdir(), 'shopflow-load-'));
  const csv = join(dir, 'rows.csv');
  try {
    await context.duckdb.run(`COPY (${query}) TO ${quoteLiteral(csv)} (FORMAT csv, HEADER true)`);
    const version = await sha256(csv);
    const result = await load(warehouse.pool, csv, {
      runId: context.runId,
      assetKey: context.assetKey,
      partitionKey: context.partitionKey,
    });
    return materialized({
      rowCount: result.staged,
      dataVersion: version.slice(0, 20),
      metadata: {
        inserted: result.inserted,
        updated: result.updated,
        unchanged: result.unchanged,
        rejected: result.rejected,
        rejectedSample: result.rejectedSample.slice(0, 5),
        auditId: result.auditId,
      },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
