import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { defineAsset, defineDefinitions, openInstanceStore } from '../../../framework/index.js';
import { openTestRuntime, tempHome } from '../../support/example-runtime.js';
import { runShopflow, writeTestConfig } from '../../support/run-shopflow.js';

const homes: Array<() => void> = [];
afterAll(() => {
  for (const cleanup of homes) cleanup();
});

describe('store and disk faults are reported as what they are', () => {
  test('a store another process keeps locked: SF_INSTANCE_STORE_BUSY naming the runs in progress, exit 1, no stack trace', async () => {
    const { home, cleanup } = tempHome('shopflow-busy-');
    homes.push(cleanup);
    const config = writeTestConfig(home);
    const path = join(home, 'instance.db');
    const store = await openInstanceStore({ type: 'sqlite', path });
    const run = await store.createRun({
      selection: 'stations',
      plan: { steps: [] },
      status: 'running',
      pid: 4242,
      hostname: 'build-7',
    });
    await store.close();
    const holder = new Database(path);
    holder.exec('begin exclusive');
    try {
      const result = await runShopflow(['--config', config, 'runs']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        'error [SF_INSTANCE_STORE_BUSY]: the instance store is locked by another process',
      );
      expect(result.stderr).toContain(`runs in progress: ${run.id.slice(0, 8)} (pid 4242 on build-7)`);
      expect(result.stderr).not.toContain('unexpected error');
      expect(result.stderr).not.toMatch(/\n\s+at /);
    } finally {
      holder.exec('rollback');
      holder.close();
    }
    // Once the lock is gone the same command works.
    expect((await runShopflow(['--config', config, 'runs'])).code).toBe(0);
  }, 60_000);

  test('a full disk under a step: the step fails with SF_DISK_FULL, not as the asset’s own fault, and the run says why', async () => {
    const { home, cleanup } = tempHome('shopflow-disk-full-');
    homes.push(cleanup);
    // NOTE: a disk cannot be filled here; the error is Node's own for a write to a full disk.
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), {
      code: 'ENOSPC',
      errno: -28,
    });
    const asset = defineAsset({
      key: 'exports',
      description: '',
      schema: z.object({ id: z.int() }),
      materialize: () => {
        throw full;
      },
    });
    const runtime = await openTestRuntime(defineDefinitions({ assets: [asset] }), home);
    try {
      const result = await runtime.execute(await runtime.plan());
      expect(result.status).toBe('failed');
      const [failure] = await runtime.store.listEvents({ runId: result.runId, types: ['step_failure'] });
      expect(failure.data.code).toBe('SF_DISK_FULL');
      expect(failure.message).toContain('no space left on the disk');
      const runs = await runtime.store.listRuns({ limit: 1 });
      expect(runs[0].error).toContain('1 failed (exports)');
    } finally {
      await runtime.close();
    }
  });
});
