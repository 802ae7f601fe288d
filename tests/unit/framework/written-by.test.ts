import { afterEach, describe, expect, test } from 'vitest';
import { z } from 'zod';
import {
  daily,
  defineAsset,
  defineDefinitions,
  type Plan,
  type ShopflowRuntime,
  SqlQuery,
  sql,
} from '../../../framework/index.js';
import { openTestRuntime, tempHome } from '../../support/example-runtime.js';

const NOW = new Date('2024-01-10T12:00:00Z');
/** What the outside writer hands to its next write, per partition. */
const incoming = new Map<string, Array<{ id: number; n: number }>>();

const external = defineAsset({
  key: 'arrivals',
  description: 'Written by a process outside of plans; folds new rows into the partition.',
  schema: z.object({ id: z.int(), n: z.int() }),
  partitions: daily({ start: '2024-01-01' }),
  writtenBy: 'a test writer',
  async materialize({ partitionKey, previous, duckdb }) {
    const rows = incoming.get(partitionKey!) ?? [];
    const before = await previous();
    await duckdb.run(
      `CREATE TEMP TABLE delta AS SELECT * FROM (VALUES ${rows.map((r) => `(${r.id}, ${r.n})`).join(', ') || '(NULL, NULL)'}) t(id, n) WHERE id IS NOT NULL`,
    );
    return new SqlQuery(
      `SELECT id, n FROM ${before.toSql()} p WHERE id NOT IN (SELECT id FROM delta) UNION ALL SELECT id::BIGINT, n::BIGINT FROM delta`,
    );
  },
});

const summary = defineAsset({
  key: 'summary',
  description: 'Reads every partition of the external asset that exists.',
  deps: { arrivals: external },
  schema: z.object({ rows: z.int(), total: z.int() }),
  materialize: ({ deps }) =>
    sql`select count(*)::BIGINT as rows, coalesce(sum(n), 0)::BIGINT as total from ${deps.arrivals}`,
});

const definitions = defineDefinitions({ assets: [external, summary] });
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function setup(): Promise<ShopflowRuntime> {
  const { home, cleanup } = tempHome();
  const runtime = await openTestRuntime(definitions, home, { now: () => NOW });
  cleanups.push(cleanup, () => runtime.close());
  return runtime;
}

/** What the outside writer does: a plan of its own for the partitions it writes. */
function writerPlan(days: string[]): Plan {
  return {
    selection: 'writer',
    partitions: null,
    createdAt: NOW.toISOString(),
    steps: days.map((day) => ({
      key: `arrivals[${day}]`,
      assetKey: 'arrivals',
      partitionKey: day,
      reasons: [{ code: 'forced', message: 'written by the test writer' }],
      dependsOn: [],
      blockedBy: [],
    })),
    upToDate: 0,
    assets: ['arrivals'],
  };
}

async function summaryRow(runtime: ShopflowRuntime) {
  const duckdb = await runtime.engine.session();
  try {
    const { rows } = await summary.io.preview(
      {
        assetKey: 'summary',
        partitionKey: null,
        runId: 't',
        schema: summary.schema,
        duckdb,
        lakeRoot: runtime.lakeRoot,
        resource: (d) => runtime.resources.get(d),
        quarantine: [],
      },
      null,
      10,
    );
    return rows[0];
  } finally {
    duckdb.close();
  }
}

describe('assets written outside of plans (writtenBy)', () => {
  test('plans never schedule them; readers are not blocked by partitions they have not written', async () => {
    const runtime = await setup();
    const plan = await runtime.plan();
    expect(plan.steps.map((s) => s.key)).toEqual(['summary']);
    expect(plan.steps[0].blockedBy).toEqual([]);
    expect((await runtime.execute(plan)).status).toBe('success');
    expect(await summaryRow(runtime)).toEqual({ rows: '0', total: '0' });
    expect((await runtime.plan()).steps).toEqual([]);
  });

  test('a partition the writer writes makes its readers stale and is read; previous() folds new rows into old', async () => {
    const runtime = await setup();
    await runtime.execute(await runtime.plan());
    incoming.set('2024-01-02', [
      { id: 1, n: 10 },
      { id: 2, n: 20 },
    ]);
    expect((await runtime.execute(writerPlan(['2024-01-02']))).status).toBe('success');
    const stale = await runtime.plan();
    expect(stale.steps.map((s) => [s.key, s.reasons.map((r) => r.code)])).toEqual([
      ['summary', ['upstream_changed']],
    ]);
    await runtime.execute(stale);
    expect(await summaryRow(runtime)).toEqual({ rows: '2', total: '30' });
    // The second write replaces row 2 and adds row 3; row 1 stays from the previous version.
    incoming.set('2024-01-02', [
      { id: 2, n: 25 },
      { id: 3, n: 30 },
    ]);
    await runtime.execute(writerPlan(['2024-01-02']));
    await runtime.execute(await runtime.plan());
    expect(await summaryRow(runtime)).toEqual({ rows: '3', total: '65' });
    // Writing the same rows again leaves the same data version.
    const [before] = await runtime.store.listAssetPartitionStates(['arrivals'], ['2024-01-02']);
    await runtime.execute(writerPlan(['2024-01-02']));
    const [after] = await runtime.store.listAssetPartitionStates(['arrivals'], ['2024-01-02']);
    expect(after.dataVersion).toBe(before.dataVersion);
    expect(after.materializationId).not.toBe(before.materializationId);
  });
});
