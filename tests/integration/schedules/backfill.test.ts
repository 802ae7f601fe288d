import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import {
  HOSTNAME,
  isShopflowError,
  openInstanceStore,
  type ShopflowRuntime,
} from '../../../framework/index.js';
import { type BackfillEvent, runBackfill } from '../../../schedules/index.js';
import { type ExampleOptions, exampleDefinitions } from '../../fixtures/example-graph.js';
import { openTestRuntime, tempHome } from '../../support/example-runtime.js';
import { jsonLines, REPO, runShopflow, spawnShopflow } from '../../support/run-shopflow.js';

const homes: Array<() => void> = [];
afterAll(() => {
  for (const cleanup of homes) cleanup();
});

function home(): string {
  const { home, cleanup } = tempHome('shopflow-backfill-');
  homes.push(cleanup);
  return home;
}

const NOW = new Date('2024-02-01T12:00:00Z');

async function open(dir: string, options: ExampleOptions = {}): Promise<ShopflowRuntime> {
  return await openTestRuntime(exampleDefinitions(options), dir, { now: () => NOW });
}

async function materializationsPerPartition(runtime: ShopflowRuntime, assetKey: string) {
  const counts = new Map<string | null, number>();
  for (const m of await runtime.store.listMaterializations({ assetKey })) {
    counts.set(m.partitionKey, (counts.get(m.partitionKey) ?? 0) + 1);
  }
  return counts;
}

describe('backfills', () => {
  test('an interrupted backfill resumes by running it again, without redoing finished partitions', async () => {
    const dir = home();
    const runtime = await open(dir);
    try {
      const abort = new AbortController();
      const events: BackfillEvent[] = [];
      const first = await runBackfill({
        runtime,
        selection: 'readings+',
        from: '2024-01-01',
        to: '2024-01-14',
        parallel: 3,
        signal: abort.signal,
        onEvent(event) {
          events.push(event);
          if (event.type === 'partition' && event.done === 4) abort.abort();
        },
      });
      expect(first.resumed).toBe(false);
      expect(first.backfill.status).toBe('interrupted');
      expect(first.partitions.map((p) => p.status)).toEqual([
        ...Array(6).fill('success'),
        ...Array(8).fill('pending'),
      ]);
      expect(events[0]).toMatchObject({ type: 'start', total: 14, done: 0 });

      const second = await runBackfill({
        runtime,
        selection: 'readings+',
        from: '2024-01-01',
        to: '2024-01-14',
      });
      expect(second.resumed).toBe(true);
      expect(second.backfill).toMatchObject({ id: first.backfill.id, status: 'success', parallel: 3 });
      expect(second.partitions.every((p) => p.status === 'success')).toBe(true);
      expect(second.deferredAssets).toEqual(['station_summary']);
      expect(second.backfill.message).toContain(
        'not part of a backfill (materialize afterwards): station_summary',
      );
      for (const asset of ['readings', 'daily_stats']) {
        const counts = await materializationsPerPartition(runtime, asset);
        expect(counts.size).toBe(14);
        expect([...counts.values()].every((n) => n === 1)).toBe(true);
      }
      expect([...(await materializationsPerPartition(runtime, 'weekly_stats')).keys()].sort()).toEqual([
        '2024-01-01',
        '2024-01-08',
      ]);
      const runs = await runtime.store.listRuns();
      expect(runs.every((r) => r.tags.backfill === first.backfill.id && r.status === 'success')).toBe(true);
    } finally {
      await runtime.close();
    }
  });

  test('failed partitions are recorded with the reason and retried by running the backfill again', async () => {
    const dir = home();
    const failing = await open(dir, { failDays: ['2024-01-03'] });
    let id: string;
    try {
      const result = await runBackfill({
        runtime: failing,
        selection: 'readings+',
        from: '2024-01-01',
        to: '2024-01-05',
        parallel: 2,
      });
      id = result.backfill.id;
      expect(result.backfill.status).toBe('failed');
      const failed = result.partitions.filter((p) => p.status === 'failed');
      expect(failed.map((p) => p.partitionKey)).toEqual(['2024-01-03']);
      expect(failed[0].message).toContain('readings[2024-01-03]: ');
      expect(failed[0].message).toContain('source has no file for 2024-01-03');
    } finally {
      await failing.close();
    }
    const fixed = await open(dir);
    try {
      const again = await runBackfill({
        runtime: fixed,
        selection: 'readings+',
        from: '2024-01-01',
        to: '2024-01-05',
      });
      expect(again).toMatchObject({ resumed: true, backfill: { id, status: 'success' } });
      const counts = await materializationsPerPartition(fixed, 'readings');
      expect(Object.fromEntries(counts)).toEqual({
        '2024-01-01': 1,
        '2024-01-02': 1,
        '2024-01-03': 1,
        '2024-01-04': 1,
        '2024-01-05': 1,
      });
      const other = await runBackfill({
        runtime: fixed,
        selection: 'readings',
        from: '2024-01-01',
        to: '2024-01-02',
      });
      expect(other).toMatchObject({ resumed: false, backfill: { status: 'success' } });
      expect(other.partitions.map((p) => p.message)).toEqual(['up to date', 'up to date']);
    } finally {
      await fixed.close();
    }
  });

  test("a batch's run is credited only to the partitions it materialized; the others are up to date", async () => {
    const runtime = await open(home());
    try {
      const early = await runtime.plan({
        selection: 'readings',
        partitions: { keys: ['2024-01-01', '2024-01-03'] },
      });
      expect((await runtime.execute(early)).status).toBe('success');
      const result = await runBackfill({
        runtime,
        selection: 'readings',
        from: '2024-01-01',
        to: '2024-01-04',
        parallel: 4,
      });
      expect(result.backfill.status).toBe('success');
      const [run] = await runtime.store.listRuns({ limit: 1 });
      expect(run.tags.backfill).toBe(result.backfill.id);
      expect(result.partitions.map((p) => [p.partitionKey, p.status, p.runId, p.message])).toEqual([
        ['2024-01-01', 'success', null, 'up to date'],
        ['2024-01-02', 'success', run.id, null],
        ['2024-01-03', 'success', null, 'up to date'],
        ['2024-01-04', 'success', run.id, null],
      ]);
    } finally {
      await runtime.close();
    }
  });

  test('a backfill another live process works on is refused; bad input is explained', async () => {
    const runtime = await open(home());
    try {
      const backfill = await runtime.store.createBackfill(
        {
          selection: 'readings',
          from: '2024-01-01',
          to: '2024-01-02',
          parallel: 1,
          pid: process.ppid,
          hostname: HOSTNAME,
        },
        ['2024-01-01', '2024-01-02'],
      );
      await runtime.store.updateBackfill(backfill.id, { heartbeatAt: NOW.toISOString() });
      const busy = await runBackfill({ runtime, resume: backfill.id.slice(0, 8) }).catch((e) => e);
      expect(isShopflowError(busy, 'SF_BACKFILL_RUNNING')).toBe(true);
      expect(busy.message).toContain(`is being run by pid ${process.ppid} on ${HOSTNAME}`);
      const unknown = await runBackfill({ runtime, resume: 'nope' }).catch((e) => e);
      expect(isShopflowError(unknown, 'SF_UNKNOWN_BACKFILL')).toBe(true);
      // A selection or range given with --resume is refused, not silently replaced by the recorded one.
      const mixed = await runBackfill({
        runtime,
        resume: backfill.id.slice(0, 8),
        selection: 'readings',
        from: '2024-01-01',
        to: '2024-01-02',
      }).catch((e) => e);
      expect(isShopflowError(mixed, 'SF_BAD_USAGE')).toBe(true);
      expect(mixed.message).toContain('--resume continues a recorded backfill');
      const reversed = await runBackfill({
        runtime,
        selection: 'readings',
        from: '2024-01-05',
        to: '2024-01-01',
      }).catch((e) => e);
      expect(isShopflowError(reversed, 'SF_BAD_PARTITION_RANGE')).toBe(true);
      const unpartitioned = await runBackfill({
        runtime,
        selection: 'stations',
        from: '2024-01-01',
        to: '2024-01-02',
      }).catch((e) => e);
      expect(isShopflowError(unpartitioned, 'SF_BAD_PARTITION')).toBe(true);
    } finally {
      await runtime.close();
    }
  });

  test('`shopflow backfill` killed with SIGKILL resumes when the same command runs again', async () => {
    const dir = home();
    const start = new Date(Date.now() - 12 * 86_400_000).toISOString().slice(0, 10);
    const end = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
    const config = join(dir, 'test.yaml');
    writeFileSync(
      config,
      `env: test\nhome: ${dir}\ndefinitions: ${join(REPO, 'tests/fixtures/scheduled-example-graph.ts')}\nlogging:\n  level: warn\n`,
    );
    const optionsFile = join(dir, 'options.json');
    writeFileSync(optionsFile, JSON.stringify({ start }));
    const env = { EXAMPLE_OPTIONS_FILE: optionsFile };
    const args = [
      '--config',
      config,
      'backfill',
      'readings',
      '--from',
      start,
      '--to',
      end,
      '--parallel',
      '1',
    ];

    const child = spawnShopflow(args, env);
    let out = '';
    await new Promise<void>((resolve) => {
      child.stdout!.on('data', (d) => {
        out += d;
        if (jsonLines(out).filter((l) => l.type === 'partition').length >= 2) resolve();
      });
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('close', resolve));
    const killed = jsonLines(out);
    expect(killed[0]).toMatchObject({ type: 'backfill_start', total: 11, done: 0, resumed: false });

    const resumed = await runShopflow(args, env);
    expect(resumed.code, resumed.stderr).toBe(0);
    const lines = jsonLines(resumed.stdout);
    expect(lines[0]).toMatchObject({ type: 'backfill_start', id: killed[0].id, resumed: true });
    expect(lines[0].done).toBeGreaterThanOrEqual(2);
    expect(lines.at(-1)).toMatchObject({ type: 'backfill_finish', status: 'success', done: 11, failed: 0 });
    const partitionLines = lines.filter((l) => l.type === 'partition');
    expect(partitionLines).toHaveLength(11 - lines[0].done);

    const listed = jsonLines(
      (await runShopflow(['--config', config, 'backfill', '--list', '--json'], env)).stdout,
    );
    expect(listed).toEqual([
      expect.objectContaining({ id: killed[0].id, status: 'success', total: 11, done: 11 }),
    ]);
    const store = await openInstanceStore({ type: 'sqlite', path: join(dir, 'instance.db') });
    try {
      const materializations = await store.listMaterializations({ assetKey: 'readings' });
      expect(materializations).toHaveLength(11);
      expect(new Set(materializations.map((m) => m.partitionKey)).size).toBe(11);
      const runs = await store.listRuns();
      expect(
        runs.filter((r) => r.status === 'failed').every((r) => /no longer running/.test(r.error ?? '')),
      ).toBe(true);
    } finally {
      await store.close();
    }
  });
});
