import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import SqliteDatabase from 'better-sqlite3';
import { attemptItems, latestItems } from '../framework/instance/asset-partition-items.js';
import type { LineageInput } from '../framework/instance/instance-store.js';
import { openInstanceStore } from '../framework/instance/open-instance-store.js';

/** What one run of the benchmark measured. */
export interface InstanceStoreLoadResult {
  rows: number;
  /** Median of the timed `listAssetPartitionStates()` calls, in milliseconds. */
  storeMedianMs: number;
  /**
   * Median of the baseline: a bare better-sqlite3 `select` of the plain state columns of the same
   * rows, one value per column, without inputs, JSON or mapping (what a naive read costs at least).
   */
  rawSelectMedianMs: number;
  ratio: number;
}

const ASSETS = 100;
const PARTITIONS_PER_ASSET = 1_900;
const INPUTS_PER_ROW = 3;
const BATCH = 10_000;
const TIMED_RUNS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function dayKey(start: number, offset: number): string {
  return new Date(start + offset * 86_400_000).toISOString().slice(0, 10);
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

function fillStore(path: string): number {
  const database = new SqliteDatabase(path);
  const insert = database.prepare(
    `insert into asset_partitions (asset_key, partition_key, materialization_id, data_version, code_version,
       row_count, materialized_at, last_attempt_status, last_attempt_at, last_run_id, last_error,
       attempt_items, latest_items)
     values (?, ?, ?, ?, ?, ?, ?, 'success', ?, ?, null, ?, ?)`,
  );
  const start = Date.UTC(2019, 0, 1);
  const runId = randomUUID();
  const at = new Date().toISOString();
  const rows: unknown[][] = [];
  for (let a = 0; a < ASSETS; a++) {
    const assetKey = `asset_${String(a).padStart(3, '0')}`;
    for (let p = 0; p < PARTITIONS_PER_ASSET; p++) {
      const partitionKey = dayKey(start, p);
      const inputs: LineageInput[] = [];
      for (let i = 1; i <= INPUTS_PER_ROW; i++) {
        inputs.push({
          assetKey: `asset_${String((a + i) % ASSETS).padStart(3, '0')}`,
          partitionKey,
          materializationId: randomUUID(),
          dataVersion: hex(10),
        });
      }
      const materialization = {
        id: randomUUID(),
        dataVersion: hex(10),
        codeVersion: '1',
        rowCount: p * 10,
        createdAt: at,
        inputs,
      };
      rows.push([
        assetKey,
        partitionKey,
        materialization.id,
        materialization.dataVersion,
        materialization.codeVersion,
        materialization.rowCount,
        at,
        at,
        runId,
        attemptItems({ assetKey, partitionKey, status: 'success', at, runId, error: null }),
        latestItems(materialization),
      ]);
    }
  }
  const insertBatch = database.transaction((batch: unknown[][]) => {
    for (const row of batch) insert.run(row);
  });
  for (let i = 0; i < rows.length; i += BATCH) insertBatch(rows.slice(i, i + BATCH));
  database.close();
  return rows.length;
}

/**
 * Loads 190,000 asset partition states (3 lineage inputs each) into a temporary SQLite instance
 * store and times `listAssetPartitionStates()`, the query the planner makes on every plan, next to a
 * bare better-sqlite3 select of the same rows.
 *
 * @example
 * const { storeMedianMs } = await runInstanceStoreLoadBench();
 */
export async function runInstanceStoreLoadBench(): Promise<InstanceStoreLoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'shopflow-bench-instance-'));
  const path = join(dir, 'instance.db');
  try {
    await (await openInstanceStore({ type: 'sqlite', path })).close();
    const rows = fillStore(path);

    const store = await openInstanceStore({ type: 'sqlite', path });
    const storeTimes: number[] = [];
    try {
      await store.listAssetPartitionStates();
      for (let i = 0; i < TIMED_RUNS; i++) {
        const started = performance.now();
        const states = await store.listAssetPartitionStates();
        storeTimes.push(performance.now() - started);
        if (states.length !== rows) throw new Error(`expected ${rows} states, got ${states.length}`);
      }
    } finally {
      await store.close();
    }

    const raw = new SqliteDatabase(path, { readonly: true });
    const rawTimes: number[] = [];
    try {
      const select = raw.prepare(
        `select asset_key, partition_key, materialization_id, data_version, code_version, row_count,
           materialized_at, last_attempt_status, last_attempt_at, last_run_id, last_error from asset_partitions`,
      );
      select.all();
      for (let i = 0; i < TIMED_RUNS; i++) {
        const started = performance.now();
        select.all();
        rawTimes.push(performance.now() - started);
      }
    } finally {
      raw.close();
    }

    const storeMedianMs = median(storeTimes);
    const rawSelectMedianMs = median(rawTimes);
    return { rows, storeMedianMs, rawSelectMedianMs, ratio: storeMedianMs / rawSelectMedianMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runInstanceStoreLoadBench();
  console.log(
    `listAssetPartitionStates(): ${result.rows} rows, median of ${TIMED_RUNS}: ` +
      `${result.storeMedianMs.toFixed(1)} ms (baseline bare column select without inputs: ` +
      `${result.rawSelectMedianMs.toFixed(1)} ms; ratio ${result.ratio.toFixed(2)})`,
  );
}
