import { afterAll, expect, test } from 'vitest';
import shopflow from '../../../assets/definitions.js';
import { ShopflowRuntime } from '../../../framework/index.js';
import { silentLog, tempHome } from '../../support/example-runtime.js';
import { shopflowTestHome } from '../../support/shopflow-test-home.js';
import { LAKE_BACKENDS, TestLakes } from '../../support/test-lakes.js';

const lakes = new TestLakes();
const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
  await lakes.stop();
});

// NOTE: the ShopFlow graph without PostgreSQL (the warehouse tables, the change log captured from the
// operational database, and what reads them), so the comparison needs no PostgreSQL; every other
// asset stores its output in the lake.
const needsPostgres = (key: string) =>
  shopflow.graph.get(key).io.kind === 'postgres-table' || key === 'operational_customer_changes';
const SELECTED = shopflow.assets
  .map((a) => a.key)
  .filter(
    (key) => !needsPostgres(key) && !shopflow.graph.upstream(key).some((d) => needsPostgres(d.assetKey)),
  );
const LAKE_ASSETS = SELECTED.filter((key) => shopflow.graph.get(key).io.kind === 'lake-table');
/** The clock of both runs: three simulated days (2024-01-01 … 03) are complete. */
const NOW = new Date('2024-01-04T06:00:00Z');

async function lakeVersions(runtime: ShopflowRuntime) {
  const states = await runtime.store.listAssetPartitionStates(LAKE_ASSETS);
  return Object.fromEntries(
    states
      .filter((s) => s.materializationId)
      // NOTE: bronze rows carry the landed object's version id, which differs between two landings by design.
      .filter((s) => shopflow.graph.get(s.assetKey).group !== 'bronze')
      .map((s) => [`${s.assetKey}[${s.partitionKey ?? ''}]`, s.dataVersion]),
  );
}

test('three days of the ShopFlow lake on S3 give the same data versions as on the local lake', async () => {
  const byBackend: Record<string, Record<string, string | null>> = {};
  for (const backend of LAKE_BACKENDS) {
    const cache = tempHome('shopflow-pipeline-cache-');
    cleanups.push(cache.cleanup);
    const t = shopflowTestHome({
      scale: 0.2,
      lake: backend === 's3' ? await lakes.section('s3', cache.home) : undefined,
    });
    cleanups.push(t.cleanup);
    const runtime = await ShopflowRuntime.open({
      config: t.config,
      definitions: shopflow,
      log: silentLog,
      now: () => NOW,
    });
    cleanups.push(() => runtime.close());
    const plan = await runtime.plan({ selection: SELECTED.join(',') });
    const result = await runtime.execute(plan);
    const failed = [...result.outcomes.values()].filter((o) => o.status !== 'success');
    expect(failed.map((o) => `${o.key}: ${o.message}`)).toEqual([]);
    expect(result.status).toBe('success');
    byBackend[backend] = await lakeVersions(runtime);
    if (backend === 's3') {
      expect(runtime.lake.description).toMatch(/^s3:\/\/lake\/t-[0-9a-f]+\/lake\/$/);
      const preview = await runtime.preview('silver_transactions', '2024-01-02', 5);
      expect(preview.rows).toHaveLength(5);
      const refs = [
        { assetKey: 'raw_customers', partitionKey: null },
        { assetKey: 'raw_products', partitionKey: null },
        ...['2024-01-01', '2024-01-02', '2024-01-03'].map((day) => ({
          assetKey: 'raw_transactions',
          partitionKey: day,
        })),
      ];
      let quarantinedRows = 0;
      for (const ref of refs) {
        if (!(await runtime.lake.head(ref))?.quarantine) continue;
        const { rows } = await runtime.preview(ref.assetKey, ref.partitionKey, 1000, { quarantine: true });
        expect(rows.every((r) => typeof r.quarantine_rules === 'string' && r.quarantine_rules !== '')).toBe(
          true,
        );
        quarantinedRows += rows.length;
      }
      expect(quarantinedRows).toBeGreaterThan(0);
    }
  }
  expect(Object.keys(byBackend.s3).length).toBeGreaterThan(20);
  expect(byBackend.s3).toEqual(byBackend.local);
});
