import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, test } from 'vitest';
import { type Plan, runCli, type ShopflowRuntime } from '../../../framework/index.js';
import { previewAsset } from '../../../framework/io/preview-asset.js';
import definitions, { incoming, summary } from '../../fixtures/written-by-graph.js';
import { openTestRuntime, tempHome } from '../../support/example-runtime.js';
import { writeTestConfig } from '../../support/run-shopflow.js';

const NOW = new Date('2024-01-10T12:00:00Z');
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
    const { rows } = await summary.io.preview(runtime.ioContext('summary', null, duckdb), null, 10);
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

  test('showing one that was never written names its writer, not a materialize that does nothing', async () => {
    const runtime = await setup();
    await expect(previewAsset(runtime, 'arrivals', { limit: 5 })).rejects.toThrow(
      'it is written by `a test writer`, not by runs',
    );
  });

  test('materializing one of them explicitly says who writes it', async () => {
    const { home, cleanup } = tempHome();
    cleanups.push(cleanup);
    const config = writeTestConfig(home);
    const fixture = join(import.meta.dirname, '../../fixtures/written-by-graph.ts');
    writeFileSync(config, readFileSync(config, 'utf8').replace(/definitions: .*/, `definitions: ${fixture}`));
    let out = '';
    const stdout = new Writable({
      write: (c, _e, cb) => {
        out += c;
        cb();
      },
    });
    const code = await runCli(['--config', config, 'materialize', 'arrivals', '--json'], {
      stdout,
      stderr: new Writable({ write: (_c, _e, cb) => cb() }),
      cwd: home,
      env: {},
    });
    expect(code).toBe(0);
    expect(JSON.parse(out.trim())).toEqual({
      type: 'nothing_to_do',
      upToDate: 0,
      external: [{ asset: 'arrivals', writtenBy: 'a test writer' }],
    });
  });
});
