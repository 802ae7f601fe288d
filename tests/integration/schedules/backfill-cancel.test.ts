import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { isShopflowError } from '../../../framework/index.js';
import { cancelBackfill, runBackfill } from '../../../schedules/index.js';
import { exampleDefinitions } from '../../fixtures/example-graph.js';
import { openTestRuntime, tempHome } from '../../support/example-runtime.js';
import { jsonLines, REPO, runShopflow } from '../../support/run-shopflow.js';

const homes: Array<() => void> = [];
afterAll(() => {
  for (const cleanup of homes) cleanup();
});
function home(): string {
  const { home, cleanup } = tempHome('shopflow-backfill-cancel-');
  homes.push(cleanup);
  return home;
}
const NOW = new Date('2024-02-01T12:00:00Z');

describe('canceling a backfill', () => {
  test('stops after the batch in flight, whose run is canceled too; unreached partitions stay pending and --resume finishes them', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const runtime = await openTestRuntime(
      exampleDefinitions({ gate: (asset) => (asset === 'readings' ? held : Promise.resolve()) }),
      home(),
      { now: () => NOW },
    );
    try {
      let inFlight!: () => void;
      const started = new Promise<void>((resolve) => {
        inFlight = resolve;
      });
      let starts = 0;
      const unsubscribe = runtime.onEvent((event) => {
        if (event.type === 'step_start' && ++starts === 2) inFlight();
      });
      const running = runBackfill({
        runtime,
        selection: 'readings+',
        from: '2024-01-01',
        to: '2024-01-06',
        parallel: 2,
      });
      await started;
      unsubscribe();
      const [backfill] = await runtime.store.listBackfills();
      const canceled = await cancelBackfill(runtime, backfill.id.slice(0, 8), 'a test');
      expect(canceled.backfill).toMatchObject({
        status: 'canceled',
        message: 'canceled by a test',
        finishedAt: null,
      });
      const [batchRun] = canceled.runsCanceled;
      expect(canceled.runsCanceled).toHaveLength(1);
      // The executing runtime sees the request on its next poll and skips what has not started;
      // then the held steps may finish.
      await new Promise<void>((resolve) => {
        const stop = runtime.onEvent((event) => {
          if (event.type === 'step_skipped' && event.data.reason === 'canceled') {
            stop();
            resolve();
          }
        });
      });
      release();
      const result = await running;

      expect(result.backfill.status).toBe('canceled');
      expect(result.backfill.message).toMatch(/^canceled by a test; 0\/6 partitions done/);
      expect(result.backfill.finishedAt).not.toBeNull();
      // A partition is done when all of its steps are: daily_stats of the first two never started.
      expect(result.partitions.every((p) => p.status === 'pending')).toBe(true);
      const readings = await runtime.store.listMaterializations({ assetKey: 'readings' });
      expect(readings.map((m) => m.partitionKey).sort()).toEqual(['2024-01-01', '2024-01-02']);
      const run = (await runtime.store.getRun(batchRun))!;
      expect(run.status).toBe('canceled');
      expect(run.error).toMatch(
        /^canceled by a test \(backfill [0-9a-f]{8}\): \d+ of \d+ steps not started$/,
      );
      // The two readings in flight finished; what depended on them did not start.
      const skipped = await runtime.store.listEvents({ runId: batchRun, types: ['step_skipped'] });
      expect(skipped.length).toBeGreaterThan(0);
      expect(skipped.every((e) => e.data.reason === 'canceled')).toBe(true);

      await expect(cancelBackfill(runtime, backfill.id, 'a test')).rejects.toSatisfy((error: unknown) =>
        isShopflowError(error, 'SF_BACKFILL_NOT_CANCELABLE'),
      );
      const resumed = await runBackfill({ runtime, resume: backfill.id.slice(0, 8) });
      expect(resumed.backfill.status).toBe('success');
      expect(resumed.partitions.every((p) => p.status === 'success')).toBe(true);
      // Resuming planned without force: the readings that finished in the canceled batch stay as they are.
      const readingsAfter = await runtime.store.listMaterializations({ assetKey: 'readings' });
      expect(readingsAfter.filter((m) => m.partitionKey === '2024-01-01')).toHaveLength(1);
      const done = await runtime.store.listMaterializations({ assetKey: 'daily_stats' });
      expect(done.map((m) => m.partitionKey).sort()).toEqual([
        '2024-01-01',
        '2024-01-02',
        '2024-01-03',
        '2024-01-04',
        '2024-01-05',
        '2024-01-06',
      ]);
    } finally {
      release();
      await runtime.close();
    }
  });

  test('`shopflow backfill --cancel ID` on an interrupted backfill: listed as canceled, and the same command starts anew', async () => {
    const dir = home();
    const start = new Date(Date.now() - 6 * 86_400_000).toISOString().slice(0, 10);
    const end = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
    const config = join(dir, 'test.yaml');
    writeFileSync(
      config,
      `env: test\nhome: ${dir}\ndefinitions: ${join(REPO, 'tests/fixtures/scheduled-example-graph.ts')}\nlogging:\n  level: warn\n`,
    );
    const optionsFile = join(dir, 'options.json');
    writeFileSync(optionsFile, JSON.stringify({ start }));
    const env = { EXAMPLE_OPTIONS_FILE: optionsFile };
    const cli = (...args: string[]) => runShopflow(['--config', config, ...args], env);

    const runtime = await openTestRuntime(exampleDefinitions({ start }), dir);
    let id: string;
    try {
      const abort = new AbortController();
      abort.abort();
      id = (await runBackfill({ runtime, selection: 'readings', from: start, to: end, signal: abort.signal }))
        .backfill.id;
    } finally {
      await runtime.close();
    }
    const canceled = await cli('backfill', '--cancel', id.slice(0, 8));
    expect(canceled.stderr).toBe('');
    expect(canceled.code).toBe(0);
    expect(canceled.stdout).toBe(
      `Canceled backfill ${id.slice(0, 8)}. Resume it with \`shopflow backfill --resume ${id.slice(0, 8)}\`.\n`,
    );
    const listed = jsonLines((await cli('backfill', '--list', '--json')).stdout);
    expect(listed).toEqual([expect.objectContaining({ id, status: 'canceled', done: 0, total: 5 })]);

    const again = await cli('backfill', 'readings', '--from', start, '--to', end, '--json');
    expect(again.code).toBe(0);
    const first = jsonLines(again.stdout)[0];
    expect(first).toMatchObject({ type: 'backfill_start', resumed: false });
    expect(first.id).not.toBe(id);

    const twice = await cli('backfill', '--cancel', id);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain(
      `error [SF_BACKFILL_NOT_CANCELABLE]: backfill ${id} has been canceled already`,
    );
  });
});
