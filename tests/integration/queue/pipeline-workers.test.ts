import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { parse, stringify } from 'yaml';
import shopflow from '../../../assets/definitions.js';
import { type InstanceStore, openInstanceStore } from '../../../framework/index.js';
import { runShopflow } from '../../support/run-shopflow.js';
import { shopflowTestHome } from '../../support/shopflow-test-home.js';
import { startWorker } from '../../support/start-worker.js';
import { startTestPostgres, type TestPostgres } from '../../support/test-postgres.js';

// The ShopFlow graph itself, four days at a small scale: once in process, once through three
// `shopflow worker` processes on a PostgreSQL instance store. Every data version must match.
let pg: TestPostgres;
const children: ChildProcess[] = [];
const homes: Array<ReturnType<typeof shopflowTestHome>> = [];

beforeAll(async () => {
  pg = await startTestPostgres();
}, 120_000);
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const home of homes) {
    await runShopflow(['--config', home.configFile, 'db', 'stop']);
    home.cleanup();
  }
  await pg?.stop();
});

// NOTE: the operational customers table stamps rows with the database's clock, so what its change
// log captured differs between any two runs; bronze records the landed objects' version ids.
const CLOCKED = new Set([
  'operational_customer_changes',
  ...shopflow.graph.descendants('operational_customer_changes'),
]);

async function versions(store: InstanceStore): Promise<Record<string, string | null>> {
  return Object.fromEntries(
    (await store.listAssetPartitionStates())
      .filter((s) => shopflow.graph.get(s.assetKey).group !== 'bronze' && !CLOCKED.has(s.assetKey))
      .map((s) => [`${s.assetKey}[${s.partitionKey ?? ''}]`, s.dataVersion])
      .sort(([a], [b]) => String(a).localeCompare(String(b))),
  );
}

function newHome() {
  const home = shopflowTestHome({ calendar: { start: '2024-01-01', days: 4 } });
  homes.push(home);
  return home;
}

test('three worker processes materialize the ShopFlow graph to exactly the data versions of the in-process executor', async () => {
  const local = newHome();
  const inProcess = await runShopflow(['--config', local.configFile, 'materialize', '--json']);
  expect(inProcess.code, inProcess.stderr).toBe(0);
  const localStore = await openInstanceStore({ type: 'sqlite', path: `${local.home}/instance.db` });
  const expected = await versions(localStore);
  await localStore.close();
  expect(Object.keys(expected).length).toBeGreaterThan(50);

  const queued = newHome();
  const config = parse(readFileSync(queued.configFile, 'utf8'));
  config.instance = { type: 'postgres', url: pg.url, schema: 'pipeline_workers' };
  config.executor = { ...config.executor, type: 'queue', leaseSeconds: 10 };
  writeFileSync(queued.configFile, stringify(config));
  const workers = await Promise.all(
    [1, 2, 3].map(() => startWorker(children, queued.configFile, {}, ['--concurrency', '2'])),
  );
  const run = await runShopflow(['--config', queued.configFile, 'materialize', '--json']);
  expect(run.code, run.stderr).toBe(0);
  const store = await openInstanceStore({ type: 'postgres', url: pg.url, schema: 'pipeline_workers' });
  try {
    expect(await versions(store)).toEqual(expected);
    const [latest] = await store.listRuns({ limit: 1 });
    const starts = await store.listEvents({ runId: latest.id, types: ['step_start'] });
    // Every step ran on a worker, each once, and the work was spread.
    expect(starts.every((e) => workers.includes(String(e.data.worker)))).toBe(true);
    expect(new Set(starts.map((e) => `${e.assetKey}[${e.partitionKey ?? ''}]`)).size).toBe(starts.length);
    expect(new Set(starts.map((e) => e.data.worker)).size).toBeGreaterThan(1);
  } finally {
    await store.close();
    for (const child of children) child.kill('SIGTERM');
  }
}, 300_000);
