import { describe, expect, test } from 'vitest';
import { DuckDbEngine } from '../../../framework/duckdb/duckdb-session.js';
import { duckdbThreads } from '../../../framework/duckdb/duckdb-threads.js';
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
});
