import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openInstanceStore } from '../../../framework/index.js';
import { tempHome } from '../../support/example-runtime.js';
import { jsonLines, runShopflow, writeTestConfig } from '../../support/run-shopflow.js';

// Partitions start three days before today: the CLI runs on the real clock.
const start = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
const { home, cleanup } = tempHome('shopflow-explain-');
const config = writeTestConfig(home);
const optionsFile = join(home, 'example-options.json');
const cli = (args: string[]) =>
  runShopflow(['--config', config, ...args], { EXAMPLE_OPTIONS_FILE: optionsFile });

beforeAll(async () => {
  writeFileSync(optionsFile, JSON.stringify({ start, explainStats: true }));
  const run = await cli(['materialize', '--json']);
  expect(run.code, run.stderr).toBe(0);
});
afterAll(() => cleanup());

async function materializationCount(): Promise<number> {
  const store = await openInstanceStore({ type: 'sqlite', path: join(home, 'instance.db') });
  try {
    return (await store.listMaterializations({ assetKey: 'daily_stats' })).length;
  } finally {
    await store.close();
  }
}

describe('shopflow explain', () => {
  test("prints DuckDB's plan of the statement of a partition, from its upstream data, writing nothing", async () => {
    const before = await materializationCount();
    const explained = await cli(['explain', 'daily_stats', '--partition', start]);
    expect(explained.code, explained.stderr).toBe(0);
    const [title, ...plan] = explained.stdout.split('\n');
    expect(title).toBe(`daily_stats[${start}]: DuckDB plan`);
    expect(plan.join('\n')).toMatch(/READ_PARQUET|PARQUET_SCAN/);
    expect(plan.join('\n')).toMatch(/HASH_GROUP_BY/);
    expect(await materializationCount()).toBe(before);
  });

  test('--analyze executes it and shows the time and rows of each operator; --json names the statement', async () => {
    const explained = await cli(['explain', 'daily_stats', '--analyze', '--json']);
    expect(explained.code, explained.stderr).toBe(0);
    const [result] = jsonLines(explained.stdout);
    expect(result).toMatchObject({ asset: 'daily_stats', engine: 'duckdb', analyze: true });
    // Without --partition: the latest materialized partition.
    expect(result.partition).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(String(result.statement)).toContain(`readings/partition=${result.partition}/data.parquet`);
    expect(String(result.plan)).toContain('Total Time');
    expect(String(result.plan)).toMatch(/\b3 [Rr]ows\b/);
    expect(String(result.plan)).not.toContain('EXPLAIN ANALYZE');
  });

  test('an asset that returns rows has no statement: a clear usage error', async () => {
    const explained = await cli(['explain', 'stations']);
    expect(explained.code).toBe(2);
    expect(explained.stderr).toContain(
      'asset `stations` does not compute its data with one DuckDB statement (it returns rows or writes its target itself)',
    );
    const elsewhere = await cli(['explain', 'daily_stats', '--on', 'postgres']);
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toContain('asset `daily_stats` has no plan on postgres; its engines: duckdb');
    const unpartitioned = await cli(['explain', 'station_summary', '--partition', start]);
    expect(unpartitioned.code).toBe(2);
    expect(unpartitioned.stderr).toContain('asset `station_summary` is not partitioned');
  });

  test('an asset with explain: true keeps the plan of each materialization', async () => {
    const store = await openInstanceStore({ type: 'sqlite', path: join(home, 'instance.db') });
    try {
      const [latest] = await store.listMaterializations({ assetKey: 'daily_stats', limit: 1 });
      expect(String(latest.metadata.plan)).toMatch(/HASH_GROUP_BY/);
      const [summary] = await store.listMaterializations({ assetKey: 'station_summary', limit: 1 });
      expect(summary.metadata.plan).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
