import { describe, expect, test, vi } from 'vitest';
import { DuckDbEngine } from '../../../framework/duckdb/duckdb-session.js';
import { duckdbThreads } from '../../../framework/duckdb/duckdb-threads.js';
import { inProcessLauncher } from '../../../framework/executor/step-launcher.js';
import type { StepOutcome, StepServices } from '../../../framework/executor/step-services.js';
import { ShopflowConfigSchema } from '../../../framework/index.js';

async function threadsOf(engine: DuckDbEngine): Promise<number> {
  const session = await engine.session();
  try {
    const [row] = await session.query(`select current_setting('threads')::INTEGER as n`);
    return Number(row.n);
  } finally {
    session.close();
  }
}

describe('DuckDB threads', () => {
  test("by default the machine's cores are shared among the steps that run at once, at least 1 each", () => {
    expect(duckdbThreads({ concurrency: 4 }, 4, 2)).toBe(1);
    expect(duckdbThreads({ concurrency: 4 }, 4, 16)).toBe(4);
    expect(duckdbThreads({ concurrency: 4 }, 1, 8)).toBe(8);
    expect(duckdbThreads({ concurrency: 3 }, 3, 8)).toBe(2);
  });

  test('executor.duckdbThreads wins over the default, and the config refuses 0', () => {
    expect(duckdbThreads({ concurrency: 4, duckdbThreads: 3 }, 1, 2)).toBe(3);
    expect(() => ShopflowConfigSchema.parse({ env: 't', executor: { duckdbThreads: 0 } })).toThrow();
    expect(
      ShopflowConfigSchema.parse({ env: 't', executor: { duckdbThreads: 2 } }).executor.duckdbThreads,
    ).toBe(2);
  });

  test('the engine creates its database with the threads it was given and changes them on a live one', async () => {
    const engine = new DuckDbEngine({ threads: 1 });
    try {
      expect(await threadsOf(engine)).toBe(1);
      await engine.useThreads(3);
      expect(await threadsOf(engine)).toBe(3);
    } finally {
      await engine.close();
    }
    const later = new DuckDbEngine({ threads: 1 });
    try {
      await later.useThreads(2);
      expect(await threadsOf(later)).toBe(2);
    } finally {
      await later.close();
    }
  });

  test('with cores to share, the threads follow the steps running; with a fixed count they stay', async () => {
    const shared = new DuckDbEngine({ threads: 1, shareCores: 4 });
    const fixed = new DuckDbEngine({ threads: 3 });
    try {
      expect(await threadsOf(shared)).toBe(1);
      await shared.shareAmong(1);
      expect(await threadsOf(shared)).toBe(4);
      await shared.shareAmong(3);
      expect(await threadsOf(shared)).toBe(1);
      // NOTE: changes asked for at once are applied in order; the last one is the one kept.
      await Promise.all([shared.shareAmong(1), shared.shareAmong(2)]);
      expect(await threadsOf(shared)).toBe(2);
      await shared.shareAmong(0);
      expect(await threadsOf(shared)).toBe(4);
      await fixed.shareAmong(1);
      expect(await threadsOf(fixed)).toBe(3);
      // NOTE: a change the database refuses fails its own caller only; later ones still apply.
      await expect(shared.useThreads(0)).rejects.toThrow();
      await shared.shareAmong(2);
      expect(await threadsOf(shared)).toBe(2);
    } finally {
      await shared.close();
      await fixed.close();
    }
  });

  test('the in-process launcher shares the cores among the steps it runs at once', async () => {
    const shares: number[] = [];
    const engine = { shareAmong: async (n: number) => void shares.push(n) } as unknown as DuckDbEngine;
    const gate: Array<() => void> = [];
    const services = { engine } as unknown as StepServices;
    const launcher = inProcessLauncher(services, async () => {
      await new Promise<void>((resolve) => gate.push(resolve));
      return { status: 'success' } as StepOutcome;
    });
    const step = { runId: 'r', key: 'a', assetKey: 'a', partitionKey: null, reasonCodes: [] };
    const first = launcher.launch(step);
    const second = launcher.launch({ ...step, key: 'b' });
    await vi.waitFor(() => expect(gate).toHaveLength(2));
    expect(shares).toEqual([1, 2]);
    gate[0]();
    await first;
    expect(shares).toEqual([1, 2, 1]);
    gate[1]();
    await second;
    expect(shares).toEqual([1, 2, 1]);
  });
});
