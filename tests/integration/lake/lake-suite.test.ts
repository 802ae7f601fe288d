import { rmSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { lakeFilesCheck } from '../../../framework/doctor/home-checks.js';
import {
  compactLakePartition,
  defineAsset,
  defineDefinitions,
  isShopflowError,
  lakeTable,
  rowCheck,
  type ShopflowRuntime,
  sql,
} from '../../../framework/index.js';
import { exampleDefinitions } from '../../fixtures/example-graph.js';
import { openTestRuntime, tempHome } from '../../support/example-runtime.js';
import { LAKE_BACKENDS, type LakeBackend, TestLakes } from '../../support/test-lakes.js';
import { testS3Client } from '../../support/test-s3.js';

const NOW = new Date('2024-01-06T12:00:00Z');
const lakes = new TestLakes();
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});
afterAll(() => lakes.stop());

async function open(
  backend: LakeBackend,
  definitions = exampleDefinitions(),
  options: { home?: string; lake?: Record<string, unknown>; extra?: Record<string, unknown> } = {},
) {
  let home = options.home;
  if (!home) {
    const temp = tempHome('shopflow-lake-');
    cleanups.push(temp.cleanup);
    home = temp.home;
  }
  const lake = options.lake ?? (await lakes.section(backend, home, options.extra));
  const runtime = await openTestRuntime(definitions, home, { now: () => NOW, config: { lake } });
  cleanups.push(() => runtime.close());
  return { home, lake, runtime };
}

async function versions(runtime: ShopflowRuntime): Promise<Record<string, string | null>> {
  const states = await runtime.store.listAssetPartitionStates();
  return Object.fromEntries(
    states
      .filter((s) => s.materializationId)
      .map((s) => [`${s.assetKey}[${s.partitionKey ?? ''}]`, s.dataVersion]),
  );
}

/** Every row of a stored partition, read through the lake storage like a downstream step would. */
async function rows(runtime: ShopflowRuntime, assetKey: string, partitionKey: string | null = null) {
  const session = await runtime.engine.session();
  try {
    const ref = { assetKey, partitionKey };
    const version = await runtime.lake.head(ref);
    if (!version) return undefined;
    const files = await runtime.lake.readable(ref, version.files, session);
    return await session.query(
      `select * from read_parquet([${files.map((f) => `'${f}'`).join(', ')}], union_by_name = true) order by all`,
    );
  } finally {
    session.close();
  }
}

const orders = (options: { bad: number; total: number }) =>
  defineAsset({
    key: 'orders',
    description: 'orders with some invalid amounts',
    schema: z.object({ id: z.int(), amount: z.number() }),
    checks: [rowCheck({ name: 'amount_positive', validWhen: 'amount > 0', quarantine: true })],
    materialize: () =>
      sql`select range::BIGINT as id, (case when range < ${options.bad} then -1 else range + 1 end)::DOUBLE as amount from range(${options.total})`,
  });

let batch = 0;
const events = defineAsset({
  key: 'events',
  description: 'micro-batches appended to one partition',
  schema: z.object({ batch: z.int(), n: z.int() }),
  io: lakeTable({ mode: 'append' }),
  materialize: () => sql`select ${++batch}::BIGINT as batch, range::BIGINT as n from range(50)`,
});

describe('the same data versions on every lake', () => {
  test('the example graph writes the same data versions on the local and the S3 lake', async () => {
    const byBackend: Record<string, Record<string, string | null>> = {};
    for (const backend of LAKE_BACKENDS) {
      const { runtime } = await open(backend);
      const result = await runtime.execute(await runtime.plan());
      expect(result.status).toBe('success');
      byBackend[backend] = await versions(runtime);
    }
    expect(Object.keys(byBackend.s3).length).toBeGreaterThan(10);
    expect(byBackend.s3).toEqual(byBackend.local);
  });
});

for (const backend of LAKE_BACKENDS) {
  describe(`lake on ${backend}`, () => {
    test('materialized partitions read back, preview, pass their checks; a forced re-run changes no version', async () => {
      const { runtime } = await open(backend);
      const first = await runtime.execute(await runtime.plan());
      expect(first.status).toBe('success');
      expect(await rows(runtime, 'daily_stats', '2024-01-03')).toHaveLength(3);
      const preview = await runtime.preview('station_summary', null, 10);
      expect(preview.rows.map((r) => r.name)).toEqual(['East', 'North', 'South']);
      expect(preview.columns.map((c) => c.name)).toEqual(['name', 'max_t']);
      const checks = await runtime.store.listCheckEvaluations({ assetKey: 'station_summary' });
      expect(checks.map((c) => c.passed)).toEqual([true]);
      const before = await versions(runtime);
      const again = await runtime.execute(await runtime.plan({ selection: 'readings', force: true }));
      expect(again.status).toBe('success');
      expect(await versions(runtime)).toEqual(before);
      expect((await runtime.plan()).steps).toEqual([]);
      const written = (
        await runtime.store.listMaterializations({ assetKey: 'station_summary', limit: 1 })
      )[0];
      expect(String(written.metadata.path)).toMatch(
        backend === 's3'
          ? /^s3:\/\/lake\/t-[0-9a-f]+\/lake\/station_summary\/data-.*\.parquet$/
          : /data\.parquet$/,
      );
    });

    test('a new version replaces the old one whole; the old files go once unreferenced and old enough', async () => {
      const { home, lake, runtime } = await open(backend);
      await runtime.execute(
        await runtime.plan({ selection: 'readings', partitions: { keys: ['2024-01-02'] } }),
      );
      const old = await rows(runtime, 'readings', '2024-01-02');
      const changed = await open(backend, exampleDefinitions({ readingScale: 2 }), { home, lake });
      await changed.runtime.execute(
        await changed.runtime.plan({
          selection: 'readings',
          partitions: { keys: ['2024-01-02'] },
          force: true,
        }),
      );
      const now = (await rows(changed.runtime, 'readings', '2024-01-02'))!;
      expect(now).toHaveLength(old!.length);
      expect(now.map((r) => Number(r.temperature))).toEqual(old!.map((r) => Number(r.temperature) * 2));
      const head = await changed.runtime.lake.head({ assetKey: 'readings', partitionKey: '2024-01-02' });
      expect(head!.files).toHaveLength(1);
      // Superseded files stay for readers of the old version until the grace period has passed.
      const swept = await changed.runtime.lake.sweep('readings', { olderThanMs: 0 });
      expect(swept.removed).toHaveLength(backend === 's3' ? 1 : 0);
      expect(await rows(changed.runtime, 'readings', '2024-01-02')).toEqual(now);
    });

    test('quarantined rows are kept beside the data and replaced by the next write', async () => {
      const { home, lake, runtime } = await open(
        backend,
        defineDefinitions({ assets: [orders({ bad: 2, total: 10 })] }),
      );
      expect((await runtime.execute(await runtime.plan())).status).toBe('success');
      expect(await rows(runtime, 'orders')).toHaveLength(8);
      const quarantined = await runtime.preview('orders', null, 10, { quarantine: true });
      expect(quarantined.rows).toEqual([
        { id: '0', amount: -1, quarantine_rules: 'amount_positive' },
        { id: '1', amount: -1, quarantine_rules: 'amount_positive' },
      ]);
      const clean = await open(backend, defineDefinitions({ assets: [orders({ bad: 0, total: 10 })] }), {
        home,
        lake,
      });
      expect((await clean.runtime.execute(await clean.runtime.plan({ force: true }))).status).toBe('success');
      expect(await rows(clean.runtime, 'orders')).toHaveLength(10);
      const none = await clean.runtime.preview('orders', null, 10, { quarantine: true });
      expect(none.rows).toEqual([]);
      expect(none.columns.map((c) => c.name)).toEqual(['id', 'amount']);
    });

    test('append mode adds a file per write; compaction merges them without changing the data version', async () => {
      const { runtime } = await open(backend, defineDefinitions({ assets: [events] }));
      for (let i = 0; i < 4; i++) await runtime.execute(await runtime.plan({ force: true }));
      const ref = { assetKey: 'events', partitionKey: null };
      expect((await runtime.lake.head(ref))!.files).toHaveLength(4);
      const [latest] = await runtime.store.listMaterializations({ assetKey: 'events', limit: 1 });
      expect(latest.rowCount).toBe(200);
      const before = await rows(runtime, 'events');
      const session = await runtime.engine.session();
      cleanups.push(() => session.close());
      const result = await compactLakePartition(session, runtime.lake, ref);
      expect(result).toMatchObject({
        filesBefore: 4,
        filesAfter: 1,
        rows: 200,
        dataVersion: latest.dataVersion,
      });
      expect((await runtime.lake.head(ref))!.files).toHaveLength(1);
      expect(await rows(runtime, 'events')).toEqual(before);
      expect((await runtime.plan()).steps).toEqual([]);
      expect(await compactLakePartition(session, runtime.lake, ref)).toMatchObject({
        filesBefore: 1,
        filesAfter: 1,
      });
    });

    test('a failed write leaves the previous version readable and commits nothing', async () => {
      const { home, lake, runtime } = await open(backend);
      await runtime.execute(
        await runtime.plan({ selection: 'readings', partitions: { keys: ['2024-01-01'] } }),
      );
      const ref = { assetKey: 'readings', partitionKey: '2024-01-01' };
      const before = {
        head: await runtime.lake.head(ref),
        rows: await rows(runtime, 'readings', '2024-01-01'),
      };
      const broken = await open(backend, exampleDefinitions({ failDays: ['2024-01-01'] }), { home, lake });
      const result = await broken.runtime.execute(
        await broken.runtime.plan({
          selection: 'readings',
          partitions: { keys: ['2024-01-01'] },
          force: true,
        }),
      );
      expect(result.status).toBe('failed');
      expect(await broken.runtime.lake.head(ref)).toEqual(before.head);
      expect(await rows(broken.runtime, 'readings', '2024-01-01')).toEqual(before.rows);
    });

    test('two writers racing on one partition: every reader sees one whole version, never a mix', async () => {
      const { runtime } = await open(backend);
      const ref = { assetKey: 'race', partitionKey: null };
      const session = await runtime.engine.session();
      cleanups.push(() => session.close());
      const stageVersion = async (label: string, runId: string) => {
        const staging = await runtime.lake.stage(ref, runId);
        const file = staging.path('.parquet');
        await session.run(
          `copy (select '${label}' as writer, range::BIGINT as n from range(500)) to '${file}' (format parquet)`,
        );
        return { staging, file };
      };
      const writer = async (label: string) => {
        for (let i = 0; i < 6; i++) {
          const runId = `${label}-${i}`;
          const { staging, file } = await stageVersion(label, runId);
          try {
            const base = await runtime.lake.head(ref);
            await runtime.lake.commit(ref, { runId, data: { kind: 'replace', file }, base });
          } catch (error) {
            // With conditional writes a writer that lost the race is told so; nothing else may fail.
            if (!isShopflowError(error, 'SF_LAKE_CONFLICT')) throw error;
          } finally {
            await staging.dispose();
          }
        }
      };
      const seen: string[] = [];
      let done = false;
      const reader = async () => {
        while (!done || seen.length === 0) {
          await new Promise((resolve) => setImmediate(resolve));
          const reading = await runtime.engine.session();
          try {
            const version = await runtime.lake.head(ref);
            if (!version) continue;
            const files = await runtime.lake.readable(ref, version.files, reading);
            const [row] = await reading.query(
              `select count(*)::INTEGER as n, count(distinct writer)::INTEGER as writers, min(writer) as writer from read_parquet([${files.map((f) => `'${f}'`).join(',')}])`,
            );
            expect(row).toMatchObject({ n: 500, writers: 1 });
            seen.push(String(row.writer));
          } finally {
            reading.close();
          }
        }
      };
      const reading = reader();
      await Promise.all([writer('a'), writer('b')]);
      done = true;
      await reading;
      expect(seen.length).toBeGreaterThan(0);
      const final = await rows(runtime, 'race');
      expect(new Set(final!.map((r) => r.writer)).size).toBe(1);
    });

    /** Removes the file list of a partition outside ShopFlow (local: its folder, the way it goes with it). */
    async function removeList(lake: Record<string, unknown>, folder: string) {
      if (backend === 's3') {
        const client = testS3Client(String(lake.endpoint));
        try {
          await client.send(
            new DeleteObjectCommand({
              Bucket: String(lake.bucket),
              Key: `${lake.prefix}${folder}/_manifest.json`,
            }),
          );
        } finally {
          client.destroy();
        }
      } else rmSync(join(String(lake.path), folder, '_files.json'));
    }
    const LIST_MISSING = 'is missing, though the instance store records the partition as materialized';

    test('a materialized partition whose files are gone reads as damaged, not empty, and a materialize rewrites it', async () => {
      // NOTE: without a grace period S3 reads look at the manifest every time (within it, a version
      // seen recently is read from what was seen: its objects cannot be gone yet).
      const first = await open(backend, exampleDefinitions(), { extra: { orphanGraceMinutes: 0 } });
      const DAY = { selection: 'readings,daily_stats', partitions: { keys: ['2024-01-02'] } };
      expect((await first.runtime.execute(await first.runtime.plan(DAY))).status).toBe('success');
      const ref = { assetKey: 'readings', partitionKey: '2024-01-02' };
      const written = (await first.runtime.lake.head(ref))!;
      // NOTE: a local partition written whole keeps `data.parquet` readable without its list, so
      // there the folder goes; on S3 the manifest alone.
      if (backend === 's3') await removeList(first.lake, 'readings/partition=2024-01-02');
      else rmSync(join(String(first.lake.path), 'readings', 'partition=2024-01-02'), { recursive: true });
      const { runtime } = await open(backend, exampleDefinitions(), first);
      const [state] = await runtime.store.listAssetPartitionStates(['readings'], ['2024-01-02']);
      // Asked as the store records it, the partition is damaged: a reader never gets zero rows.
      await expect(runtime.lake.head(ref, { dataVersion: state.dataVersion! })).rejects.toMatchObject({
        code: 'SF_LAKE_CORRUPT',
        message: expect.stringContaining(`of readings[2024-01-02] ${LIST_MISSING}`),
      });
      expect(await runtime.lake.head(ref)).toBeUndefined();
      expect(await runtime.lake.verify(ref, 'deep')).toEqual([
        { location: expect.stringMatching(/_(files|manifest)\.json$/), problem: LIST_MISSING },
      ]);
      const downstream = await runtime.execute(
        await runtime.plan({ selection: 'daily_stats', partitions: { keys: ['2024-01-02'] }, force: true }),
      );
      expect(downstream.status).toBe('failed');
      expect(downstream.outcomes.get('daily_stats[2024-01-02]')?.message).toContain(LIST_MISSING);
      // The failed read recorded the damage: the next plan rewrites the partition, with the same bytes.
      const plan = await runtime.plan({ selection: 'readings', partitions: { keys: ['2024-01-02'] } });
      expect(plan.steps.map((s) => [s.key, s.reasons[0].code])).toEqual([
        ['readings[2024-01-02]', 'file_corrupt'],
      ]);
      expect((await runtime.execute(plan)).status).toBe('success');
      expect((await runtime.lake.head(ref))!.files.map((f) => f.sha256)).toEqual(
        written.files.map((f) => f.sha256),
      );
      expect(await rows(runtime, 'readings', '2024-01-02')).toHaveLength(72);
    });

    test('a sweep keeps the data files of a folder whose file list is gone', async () => {
      const { lake, runtime } = await open(backend, defineDefinitions({ assets: [events] }));
      for (let i = 0; i < 2; i++) await runtime.execute(await runtime.plan({ force: true }));
      const ref = { assetKey: 'events', partitionKey: null };
      expect((await runtime.lake.head(ref))!.files).toHaveLength(2);
      await removeList(lake, 'events');
      // Nothing tells a version whose list was lost from the leftovers of a write that never
      // committed; removing the first is not undoable, so both stay (doctor names the partition).
      expect((await runtime.lake.sweep('events', { olderThanMs: 0 })).removed).toEqual([]);
      expect(await runtime.lake.verify(ref, 'deep')).toEqual([
        { location: expect.stringMatching(/_(files|manifest)\.json$/), problem: LIST_MISSING },
      ]);
    });

    test('a write computed from an older version is refused, and the newer version stays', async () => {
      const { runtime } = await open(backend, defineDefinitions({ assets: [events] }));
      await runtime.execute(await runtime.plan());
      const ref = { assetKey: 'events', partitionKey: null };
      const stale = await runtime.lake.head(ref);
      await runtime.execute(await runtime.plan({ force: true }));
      const current = await runtime.lake.head(ref);
      const session = await runtime.engine.session();
      cleanups.push(() => session.close());
      const staging = await runtime.lake.stage(ref, 'late-writer');
      cleanups.push(() => staging.dispose());
      const file = staging.path('.parquet');
      await session.run(`copy (select 99::BIGINT as batch, 1::BIGINT as n) to '${file}' (format parquet)`);
      const late = runtime.lake.commit(ref, {
        runId: 'late-writer',
        data: { kind: 'append', file },
        base: stale,
      });
      if (backend === 'local') {
        await expect(late).rejects.toMatchObject({ code: 'SF_LAKE_CONFLICT' });
        expect(await runtime.lake.head(ref)).toEqual(current);
      } else {
        // NOTE: s3rver ignores If-Match; on S3 this PUT is refused (the fault tests inject the 412).
        await late;
      }
    });
  });
}

describe('an appending table on a local lake', () => {
  test('a damaged file of an appending table: doctor says to restore it, and --repair does not try a rewrite that re-reads it', async () => {
    const { home, runtime } = await open('local', defineDefinitions({ assets: [events] }));
    for (let i = 0; i < 2; i++) await runtime.execute(await runtime.plan({ force: true }));
    const ref = { assetKey: 'events', partitionKey: null };
    const [first] = (await runtime.lake.head(ref))!.files;
    const session = await runtime.engine.session();
    cleanups.push(() => session.close());
    const [path] = await runtime.lake.readable(ref, [first], session);
    truncateSync(path, 20);
    const runsBefore = (await runtime.store.listRuns()).length;
    const findings = await lakeFilesCheck.run({ runtime, home, repair: true });
    expect(findings).toEqual([
      expect.objectContaining({
        subject: 'events',
        status: 'problem',
        fix: expect.stringContaining('restore the file from a backup'),
      }),
    ]);
    expect((await runtime.store.listRuns()).length).toBe(runsBefore);
    const again = await runtime.execute(await runtime.plan({ force: true }));
    expect(again.status).toBe('failed');
    expect(again.outcomes.get('events')?.message).toContain('restore it from a backup');
  });
});
