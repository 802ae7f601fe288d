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

  test('with cores to share, the threads follow the steps running once their count has held; with a fixed count they stay', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const shared = new DuckDbEngine({ threads: 1, shareCores: 4, settleMs: 200 });
    const fixed = new DuckDbEngine({ threads: 3, settleMs: 200 });
    try {
      expect(await threadsOf(shared)).toBe(1);
      shared.shareAmong(1);
      // NOTE: not before the count has held.
      await vi.advanceTimersByTimeAsync(150);
      await shared.settled();
      expect(await threadsOf(shared)).toBe(1);
      await vi.advanceTimersByTimeAsync(50);
      await shared.settled();
      expect(await threadsOf(shared)).toBe(4);
      shared.shareAmong(3);
      await vi.advanceTimersByTimeAsync(200);
      await shared.settled();
      expect(await threadsOf(shared)).toBe(1);
      // NOTE: a count that changes back before it held changes nothing, however often.
      const changes = vi.spyOn(shared, 'useThreads');
      for (let i = 0; i < 5; i++) {
        shared.shareAmong(2);
        await vi.advanceTimersByTimeAsync(100);
        shared.shareAmong(3);
        await vi.advanceTimersByTimeAsync(100);
      }
      await vi.advanceTimersByTimeAsync(1_000);
      expect(changes).not.toHaveBeenCalled();
      // NOTE: of counts that come and go, the one that holds is applied.
      shared.shareAmong(1);
      await vi.advanceTimersByTimeAsync(100);
      shared.shareAmong(2);
      await vi.advanceTimersByTimeAsync(200);
      await shared.settled();
      expect(changes).toHaveBeenCalledTimes(1);
      expect(await threadsOf(shared)).toBe(2);
      changes.mockRestore();
      // NOTE: a count asked for outright wins over one still waiting.
      shared.shareAmong(1);
      await shared.useThreads(3);
      await vi.advanceTimersByTimeAsync(200);
      await shared.settled();
      expect(await threadsOf(shared)).toBe(3);
      fixed.shareAmong(1);
      expect(vi.getTimerCount()).toBe(0);
      expect(await threadsOf(fixed)).toBe(3);
      // NOTE: a change the database refuses fails its own caller only; later ones still apply.
      await expect(shared.useThreads(0)).rejects.toThrow();
      shared.shareAmong(2);
      await vi.advanceTimersByTimeAsync(200);
      await shared.settled();
      expect(await threadsOf(shared)).toBe(2);
      // NOTE: closing drops a change still waiting, so nothing keeps the process alive.
      shared.shareAmong(1);
      expect(vi.getTimerCount()).toBe(1);
    } finally {
      await shared.close();
      expect(vi.getTimerCount()).toBe(0);
      await fixed.close();
      vi.useRealTimers();
    }
  });

  test('the in-process launcher shares the cores among the steps it runs at once', async () => {
    const shares: number[] = [];
    const engine = { shareAmong: (n: number) => void shares.push(n) } as unknown as DuckDbEngine;
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
