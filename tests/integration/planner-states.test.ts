import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type AnyAsset,
  type AssetPartitionState,
  allPartitionsMapping,
  daily,
  defineAsset,
  defineDefinitions,
  type InstanceStore,
  materialized,
  openInstanceStore,
  planMaterialization,
  staticPartitions,
  storedByAsset,
} from '../../framework/index.js';
import { startTestPostgres, type TestPostgres } from '../support/test-postgres.js';

// `listPlannerStates()` decodes the stored text itself and leaves most fields to be read on demand;
// it must give the states `listAssetPartitionStates()` gives, and the same plans.

const NOW = new Date('2024-01-06T12:00:00Z');
const AWKWARD = 'quote " backslash \\ newline \n tab \t controls \u0001\u001e\u001f "," [] ü 🙂 \u2028';

let postgres: TestPostgres;
let dir: string;
beforeAll(async () => {
  postgres = await startTestPostgres();
  dir = mkdtempSync(join(tmpdir(), 'shopflow-planner-states-'));
});
afterAll(async () => {
  await postgres.stop();
  rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
const stores = {
  sqlite: () => openInstanceStore({ type: 'sqlite', path: join(dir, `store-${++counter}.db`) }),
  postgres: () => openInstanceStore({ type: 'postgres', url: postgres.url, schema: `planner_${++counter}` }),
};

const schema = z.object({ x: z.int() });
const days = daily({ start: '2024-01-01' });
const regions = staticPartitions(['e"u', 'u\\s', 'ü🙂']);

function asset(key: string, options: Record<string, unknown> = {}): AnyAsset {
  return defineAsset({
    key,
    description: '',
    schema,
    io: storedByAsset(),
    materialize: () => materialized({ rowCount: 0 }),
    ...options,
  } as Parameters<typeof defineAsset>[0]);
}

const raw = asset('raw', { partitions: days });
const clean = asset('clean', { partitions: days, deps: { raw }, codeVersion: '2' });
const summary = asset('summary', { deps: { clean } });
const byRegion = asset('by_region', { partitions: regions });
const regionReport = asset('region_report', {
  partitions: days,
  deps: { byRegion },
  partitionMappings: { byRegion: allPartitionsMapping() },
  freshness: { maxLagMinutes: 60 },
});
const { graph } = defineDefinitions({ assets: [raw, clean, summary, byRegion, regionReport] });

/** States of every kind: partitioned and not, with and without inputs, failed, running, never materialized. */
async function fill(store: InstanceStore): Promise<void> {
  const at = (hour: number) => new Date(Date.UTC(2024, 0, 6, hour)).toISOString();
  const record = (assetKey: string, partitionKey: string | null, dataVersion: string, options = {}) =>
    store.recordMaterialization({
      runId: 'run-1',
      assetKey,
      partitionKey,
      dataVersion,
      codeVersion: '1',
      rowCount: 7,
      metadata: {},
      inputs: [],
      createdAt: at(1),
      ...options,
    });
  const rawDays = days.keys(NOW);
  const rawRecords = new Map<string, { id: string; dataVersion: string }>();
  for (const day of rawDays) {
    const record_ = await record('raw', day, `raw-${day}`);
    rawRecords.set(day, record_);
  }
  for (const day of rawDays.slice(0, 4)) {
    const upstream = rawRecords.get(day)!;
    await record('clean', day, `clean-${day}`, {
      codeVersion: day === '2024-01-02' ? '1' : '2',
      rowCount: day === '2024-01-03' ? null : 3,
      inputs: [
        {
          assetKey: 'raw',
          partitionKey: day,
          materializationId: upstream.id,
          dataVersion: day === '2024-01-04' ? 'older' : upstream.dataVersion,
        },
      ],
    });
  }
  await record('summary', null, AWKWARD, {
    inputs: rawDays.slice(0, 3).map((day) => ({
      assetKey: 'clean',
      partitionKey: day,
      materializationId: `m-${day}`,
      dataVersion: `clean-${day}`,
    })),
  });
  await record('by_region', 'e"u', 'eu-1');
  await record('by_region', 'ü🙂', 'v🙂');
  await store.recordAttempt({
    assetKey: 'by_region',
    partitionKey: 'u\\s',
    runId: 'run-2',
    status: 'failed',
    error: AWKWARD,
  });
  await store.recordAttempt({
    assetKey: 'clean',
    partitionKey: '2024-01-05',
    runId: 'run-2',
    status: 'running',
  });
  await store.recordAttempt({
    assetKey: 'clean',
    partitionKey: '2024-01-01',
    runId: 'run-3',
    status: 'failed',
    error: null,
  });
  await record('region_report', '2024-01-01', 'r', { createdAt: at(2) });
  await store.recordAttempt({
    assetKey: 'region_report',
    partitionKey: '2024-01-02',
    runId: 'run-4',
    status: 'skipped',
  });
}

const byKey = (a: AssetPartitionState, b: AssetPartitionState) =>
  `${a.assetKey}\u0000${a.partitionKey}`.localeCompare(`${b.assetKey}\u0000${b.partitionKey}`);

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`listPlannerStates on ${backend}`, () => {
    let store: InstanceStore;
    beforeAll(async () => {
      store = await stores[backend]();
      await fill(store);
    });
    afterAll(async () => {
      await store.close();
    });

    it('gives the states listAssetPartitionStates gives, field by field and as JSON', async () => {
      const full = (await store.listAssetPartitionStates()).sort(byKey);
      const lean = (await store.listPlannerStates()).sort(byKey);
      expect(lean).toHaveLength(full.length);
      expect(JSON.parse(JSON.stringify(lean))).toEqual(full);
      for (let i = 0; i < full.length; i++) {
        for (const field of Object.keys(full[i]) as Array<keyof AssetPartitionState>) {
          expect(lean[i][field], `${full[i].assetKey}[${full[i].partitionKey}].${field}`).toEqual(
            full[i][field],
          );
        }
      }
      expect(full.find((s) => s.assetKey === 'summary')!.dataVersion).toBe(AWKWARD);
    });

    it('keeps what is read, and what is set, like a plain state', async () => {
      const state = (await store.listPlannerStates()).find(
        (s) => s.assetKey === 'clean' && s.partitionKey === '2024-01-02',
      )!;
      expect(state.inputs).toBe(state.inputs);
      state.inputs = [];
      state.lastError = 'changed';
      expect(state).toMatchObject({ inputs: [], lastError: 'changed', lastRunId: 'run-1' });
    });

    it('plans what the states listAssetPartitionStates gives plan', async () => {
      const cases = [
        { assetKeys: graph.keys, partitions: null },
        { assetKeys: graph.keys, partitions: { from: '2024-01-02', to: '2024-01-03' } },
        { assetKeys: ['by_region'], partitions: { keys: ['u\\s'] } },
      ];
      for (const force of [false, true]) {
        for (const { assetKeys, partitions } of cases) {
          const input = { graph, assetKeys, now: NOW, force, partitions };
          const expected = planMaterialization({ ...input, states: await store.listAssetPartitionStates() });
          const actual = planMaterialization({ ...input, states: await store.listPlannerStates() });
          expect(actual).toEqual(expected);
          expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
        }
      }
      const plan = planMaterialization({
        graph,
        assetKeys: graph.keys,
        now: NOW,
        states: await store.listPlannerStates(),
      });
      const reasons = (key: string) =>
        plan.steps.find((step) => step.key === key)?.reasons.map((r) => r.code);
      expect(reasons('clean[2024-01-02]')).toEqual(['code_version_changed']);
      expect(reasons('clean[2024-01-04]')).toEqual(['upstream_changed']);
      expect(reasons('clean[2024-01-01]')).toEqual(['failed']);
      expect(reasons('by_region[u\\s]')).toEqual(['missing', 'failed']);
      expect(plan.steps.find((step) => step.key === 'by_region[u\\s]')!.reasons[1].message).toContain(
        AWKWARD,
      );
      expect(reasons('region_report[2024-01-01]')).toEqual([
        'upstream_changed',
        'upstream_planned',
        'overdue',
      ]);
    });

    it('is empty for an empty store', async () => {
      const empty = await stores[backend]();
      expect(await empty.listPlannerStates()).toEqual([]);
      await empty.close();
    });
  });
}
