// Framework benchmarks (run: npx tsx bench/framework-bench.ts [--write] [--only-plan | --only-steps]):
// 1. Planning the stale set of a synthetic graph of 10,000 assets (3 deps on average, 10% daily over
//    365 days, half of the assets materialized), from the instance store and in memory.
// 2. The framework's own overhead per trivial step: a run of 1,000 no-op steps against 1,000 direct
//    calls of the same function, side by side in this process.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import SqliteDatabase from 'better-sqlite3';
import pino from 'pino';
import { z } from 'zod';
import {
  type AnyAsset,
  type AssetPartitionState,
  daily,
  defineAsset,
  defineDefinitions,
  materialized,
  openInstanceStore,
  planMaterialization,
  ShopflowConfigSchema,
  ShopflowRuntime,
  staticPartitions,
} from '../framework/index.js';
import { attemptItems, latestItems } from '../framework/instance/asset-partition-items.js';
import { mulberry32 } from '../tests/support/seeded-random.js';
import { machine, median, writeBenchmarkSection } from './benchmark-report.js';

const log = pino({ level: 'silent' }, new Writable({ write: (_c, _e, cb) => cb() }));
const schema = z.object({ x: z.int() });
const NOW = new Date('2025-01-01T12:00:00Z');

const seeded = mulberry32;

function syntheticGraph(size: number) {
  const random = seeded(7);
  const partitions = daily({ start: '2024-01-01' });
  const assets: AnyAsset[] = [];
  for (let i = 0; i < size; i++) {
    const deps: Record<string, AnyAsset> = {};
    // NOTE: 3 deps on average, always on earlier assets, so the graph is a DAG.
    const count = i === 0 ? 0 : Math.min(i, Math.floor(random() * 7));
    for (let d = 0; d < count; d++) {
      const up = assets[Math.floor(random() * i)];
      deps[`d${d}`] = up;
    }
    // NOTE: a partitioned asset reading an unpartitioned one is fine; unpartitioned reading daily reads all 365.
    const isDaily = random() < 0.1;
    assets.push(
      defineAsset({
        key: `asset_${String(i).padStart(5, '0')}`,
        description: '',
        schema,
        deps,
        partitions: isDaily ? partitions : undefined,
        materialize: () => materialized({ rowCount: 0 }),
      }),
    );
  }
  return defineDefinitions({ assets });
}

function materializedStates(definitions: ReturnType<typeof syntheticGraph>): AssetPartitionState[] {
  const random = seeded(11);
  const { graph } = definitions;
  const versions = new Map<string, Map<string | null, { id: string; version: string }>>();
  const states: AssetPartitionState[] = [];
  for (const key of graph.toposorted()) {
    if (random() >= 0.5) continue;
    const asset = graph.get(key);
    const keys = asset.partitions ? asset.partitions.keys(NOW) : [null];
    const own = new Map<string | null, { id: string; version: string }>();
    versions.set(key, own);
    for (const partitionKey of keys) {
      const inputs = [];
      for (const dep of graph.upstream(key)) {
        const up = graph.get(dep.assetKey);
        for (const upKey of dep.mapping.upstreamFor(partitionKey, asset.partitions, up.partitions, NOW)
          .valid) {
          const v = versions.get(dep.assetKey)?.get(upKey);
          if (v)
            inputs.push({
              assetKey: dep.assetKey,
              partitionKey: upKey,
              materializationId: v.id,
              dataVersion: v.version,
            });
        }
      }
      const id = randomUUID();
      const version = id.slice(0, 20);
      own.set(partitionKey, { id, version });
      states.push({
        assetKey: key,
        partitionKey,
        materializationId: id,
        dataVersion: version,
        codeVersion: '1',
        rowCount: 0,
        materializedAt: NOW.toISOString(),
        inputs,
        lastAttemptStatus: 'success',
        lastAttemptAt: NOW.toISOString(),
        lastRunId: 'bench',
        lastError: null,
      });
    }
  }
  return states;
}

/** Writing 190k states through the store's normal write path would take minutes; insert them in bulk. */
function bulkInsertStates(path: string, states: AssetPartitionState[]): void {
  const db = new SqliteDatabase(path);
  const insert = db.prepare(
    `insert into asset_partitions (asset_key, partition_key, materialization_id, data_version, code_version, row_count,
      materialized_at, last_attempt_status, last_attempt_at, last_run_id, last_error, attempt_items, latest_items)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (const s of states) {
      const attempt = attemptItems({
        assetKey: s.assetKey,
        partitionKey: s.partitionKey,
        status: 'success',
        at: s.lastAttemptAt!,
        runId: s.lastRunId!,
        error: null,
      });
      const latest = latestItems({
        id: s.materializationId!,
        dataVersion: s.dataVersion!,
        codeVersion: s.codeVersion!,
        rowCount: s.rowCount,
        createdAt: s.materializedAt!,
        inputs: s.inputs,
      });
      insert.run(
        s.assetKey,
        s.partitionKey ?? '',
        s.materializationId,
        s.dataVersion,
        s.codeVersion,
        s.rowCount,
        s.materializedAt,
        s.lastAttemptStatus,
        s.lastAttemptAt,
        s.lastRunId,
        s.lastError,
        attempt,
        latest,
      );
    }
  })();
  db.close();
}

async function planningBenchmark(runs: number) {
  const definitions = syntheticGraph(10_000);
  const states = materializedStates(definitions);
  const home = mkdtempSync(join(tmpdir(), 'shopflow-bench-'));
  const store = await openInstanceStore({ type: 'sqlite', path: join(home, 'instance.db') });
  bulkInsertStates(join(home, 'instance.db'), states);
  const loaded = (await store.listAssetPartitionStates()).length;
  const memory: number[] = [];
  const fromStore: number[] = [];
  const readOnly: number[] = [];
  // NOTE: a plan is dropped as soon as it is measured, as in a process that plans once.
  const timePlan = (planned: Iterable<AssetPartitionState>) => {
    const t = performance.now();
    const plan = planMaterialization({
      graph: definitions.graph,
      states: planned,
      assetKeys: definitions.graph.keys,
      now: NOW,
    });
    return { ms: performance.now() - t, steps: plan.steps.length };
  };
  let steps = 0;
  for (let i = 0; i < runs; i++) {
    const inMemory = timePlan(states);
    memory.push(inMemory.ms);
    steps = inMemory.steps;
  }
  const stateCount = states.length;
  // NOTE: from here on the process holds what a process planning from the store holds (the
  // definitions and the store), not also a copy of every state built for the in-memory plans.
  states.length = 0;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const fresh = await store.listPlannerStates();
    const read = performance.now() - t;
    readOnly.push(read);
    fromStore.push(read + timePlan(fresh).ms);
  }
  await store.close();
  rmSync(home, { recursive: true, force: true });
  const partitioned = definitions.assets.filter((a) => a.partitions).length;
  const edges = definitions.assets.reduce((n, a) => n + Object.keys(a.deps).length, 0);
  return {
    states: stateCount,
    loaded,
    steps,
    memory: median(memory),
    fromStore: median(fromStore),
    read: median(readOnly),
    partitioned,
    edges,
  };
}

async function overheadBenchmark(runs: number) {
  const keys = Array.from({ length: 1000 }, (_, i) => `p${String(i).padStart(4, '0')}`);
  let calls = 0;
  const noop = async () => {
    calls++;
    return materialized({ rowCount: 0, dataVersion: 'same' });
  };
  const asset = defineAsset({
    key: 'noop',
    description: '',
    schema,
    partitions: staticPartitions(keys),
    materialize: noop,
  });
  const definitions = defineDefinitions({ assets: [asset] });
  const framework: number[] = [];
  const direct: number[] = [];
  for (let i = 0; i < runs; i++) {
    const home = mkdtempSync(join(tmpdir(), 'shopflow-bench-'));
    const config = ShopflowConfigSchema.parse({
      env: 'bench',
      home,
      instance: { type: 'sqlite', path: join(home, 'i.db') },
      lake: { type: 'local', path: join(home, 'lake') },
    });
    const runtime = await ShopflowRuntime.open({ config, definitions, log });
    let t = performance.now();
    for (let n = 0; n < 1000; n++) await noop();
    direct.push(performance.now() - t);
    t = performance.now();
    const plan = await runtime.plan({ force: true });
    const result = await runtime.execute(plan, { concurrency: 1 });
    framework.push(performance.now() - t);
    if (result.status !== 'success' || result.outcomes.size !== 1000) throw new Error('bench run failed');
    await runtime.close();
    rmSync(home, { recursive: true, force: true });
  }
  return {
    framework: median(framework),
    direct: median(direct),
    perStep: (median(framework) - median(direct)) / 1000,
    calls,
  };
}

const runs = Number(process.env.RUNS ?? 5);
if (process.argv.includes('--only-steps')) {
  console.log(await overheadBenchmark(runs));
  process.exit(0);
}
const planning = await planningBenchmark(runs);
if (process.argv.includes('--only-plan')) {
  console.log(planning);
  process.exit(0);
}
const overhead = await overheadBenchmark(runs);
const report = `## Framework core

Machine: ${machine()}. Medians of ${runs} runs in one process (\`npx tsx bench/framework-bench.ts --write\`).

**Planning the stale set** of a synthetic graph of 10,000 assets (${planning.edges.toLocaleString('en-US')} dependency edges, ${(planning.edges / 10_000).toFixed(1)} per asset; ${planning.partitioned} daily-partitioned over 365 days; half of the assets materialized: ${planning.states.toLocaleString('en-US')} asset partitions in the instance store):

| measure | median | target |
|---|---|---|
| plan from in-memory state (${planning.steps.toLocaleString('en-US')} stale steps found) | ${planning.memory.toFixed(0)} ms | |
| read all states from SQLite + plan | ${planning.fromStore.toFixed(0)} ms | < 1,000 ms |
| of which reading the states (\`store.listPlannerStates()\`) | ${planning.read.toFixed(0)} ms | |

**Framework overhead per trivial step**: a run of 1,000 no-op steps (plan, lock, events, materialization record with lineage, SQLite instance store) against 1,000 direct calls of the same function:

| measure | median |
|---|---|
| 1,000 direct calls | ${overhead.direct.toFixed(1)} ms |
| 1,000 steps through plan + executor | ${overhead.framework.toFixed(0)} ms |
| overhead per step | ${overhead.perStep.toFixed(2)} ms (target < 5 ms) |
`;
console.log(report);
if (process.argv.includes('--write')) writeBenchmarkSection('framework', report);
