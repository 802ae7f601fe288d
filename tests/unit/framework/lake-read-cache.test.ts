import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { DuckDbEngine } from '../../../framework/duckdb/duckdb-session.js';
import { chooseReadPath, LakeReadCache, loadHttpfs } from '../../../framework/index.js';
import { exampleDefinitions } from '../../fixtures/example-graph.js';
import { openTestRuntime, tempHome } from '../../support/example-runtime.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function setup(maxBytes: number) {
  const { home, cleanup } = tempHome('shopflow-cache-');
  cleanups.push(cleanup);
  const cache = new LakeReadCache({ dir: join(home, 'cache'), maxBytes });
  const fetched: string[] = [];
  const blob = (text: string) => {
    const bytes = Buffer.from(text.padEnd(100, '.'));
    const sha = createHash('sha256').update(bytes).digest('hex');
    const fetch = async (file: string) => {
      fetched.push(text);
      writeFileSync(file, bytes);
    };
    return { sha, bytes, fetch };
  };
  return { home, cache, fetched, blob };
}

describe('the lake read cache', () => {
  test('fetches a file once, then serves it from disk under its hash', async () => {
    const { cache, fetched, blob } = setup(10_000);
    const a = blob('a');
    const lease = cache.lease();
    const path = await cache.read(a.sha, a.fetch, lease);
    expect(readFileSync(path)).toEqual(a.bytes);
    const again = cache.lease();
    expect(readFileSync(await cache.read(a.sha, a.fetch, again))).toEqual(a.bytes);
    expect(fetched).toEqual(['a']);
    // Concurrent readers of a missing file share one fetch.
    const b = blob('b');
    await Promise.all([cache.read(b.sha, b.fetch, lease), cache.read(b.sha, b.fetch, again)]);
    expect(fetched).toEqual(['a', 'b']);
  });

  test('a cached file cut short on disk is fetched again when the read knows its size', async () => {
    const { cache, fetched, blob } = setup(10_000);
    const a = blob('a');
    const first = await cache.read(a.sha, a.fetch, cache.lease(), a.bytes.length);
    // The leased path is a link to the cached file: cutting it cuts the cache's copy.
    truncateSync(first, 10);
    const again = await cache.read(a.sha, a.fetch, cache.lease(), a.bytes.length);
    expect(readFileSync(again)).toEqual(a.bytes);
    expect(fetched).toEqual(['a', 'a']);
  });

  test('evicts the least recently used files past its limit, never a leased one', async () => {
    const { cache, fetched, blob } = setup(250);
    const [a, b, c] = [blob('a'), blob('b'), blob('c')];
    const first = cache.lease();
    await cache.read(a.sha, a.fetch, first);
    await cache.read(b.sha, b.fetch, first);
    first.release();
    const held = cache.lease();
    // `a` was used last: `b` is the least recently used file once `c` arrives.
    await new Promise((r) => setTimeout(r, 15));
    await cache.read(a.sha, a.fetch, held);
    await cache.read(c.sha, c.fetch, held);
    expect(cache.has(b.sha)).toBe(false);
    expect(cache.usage()).toEqual({ files: 2, bytes: 200, leased: 2 });
    // Both remaining files are leased: a fourth file may push the cache past its limit, never evict them.
    const d = blob('d');
    const path = await cache.read(d.sha, d.fetch, held);
    expect(cache.usage()).toMatchObject({ files: 3, leased: 3 });
    expect(readFileSync(path)).toEqual(d.bytes);
    held.release();
    const later = cache.lease();
    await cache.read(b.sha, b.fetch, later);
    expect(cache.usage().bytes).toBeLessThanOrEqual(250);
    expect(fetched).toEqual(['a', 'b', 'c', 'd', 'b']);
  });

  test('leases of processes that died are dropped, so their files can go', async () => {
    const { home, cache, blob } = setup(150);
    const a = blob('a');
    await cache.read(a.sha, a.fetch, cache.lease());
    // A lease folder named after a process that no longer exists (pid of a finished child).
    const child = spawnSync(process.execPath, ['-e', 'process.pid'], { encoding: 'utf8' });
    const dead = join(home, 'cache', 'leases', `${child.pid}-deadbeef`);
    mkdirSync(dead, { recursive: true });
    const fresh = new LakeReadCache({ dir: join(home, 'cache'), maxBytes: 150 });
    fresh.lease();
    expect(existsSync(dead)).toBe(false);
    expect(readdirSync(join(home, 'cache', 'leases')).every((n) => n.startsWith(`${process.pid}-`))).toBe(
      true,
    );
  });

  test('refuses bytes that do not match the recorded hash', async () => {
    const { cache, blob } = setup(1000);
    const a = blob('a');
    const lease = cache.lease();
    await expect(
      cache.read(a.sha, async (file) => writeFileSync(file, 'something else'), lease),
    ).rejects.toMatchObject({
      code: 'SF_IO',
      message: expect.stringMatching(/not the .* its manifest records/),
    });
    expect(cache.has(a.sha)).toBe(false);
    await expect(cache.read('not-a-hash', a.fetch, lease)).rejects.toMatchObject({ code: 'SF_IO' });
  });

  test('a released lease frees its files for eviction', async () => {
    const { cache, blob } = setup(100);
    const [a, b] = [blob('a'), blob('b')];
    const lease = cache.lease();
    await cache.read(a.sha, a.fetch, lease);
    await cache.read(b.sha, b.fetch, lease);
    expect(cache.usage()).toMatchObject({ files: 2, leased: 2 });
    lease.release();
    cache.trim();
    expect(cache.usage()).toMatchObject({ files: 1, leased: 0 });
  });
});

describe('how the S3 lake is read', () => {
  test('auto reads directly only where DuckDB has httpfs; cache and direct are forced', () => {
    expect(chooseReadPath('auto', true)).toBe('direct');
    expect(chooseReadPath('auto', false)).toBe('cache');
    expect(chooseReadPath('cache', true)).toBe('cache');
    expect(chooseReadPath('direct', true)).toBe('direct');
    expect(() => chooseReadPath('direct', false)).toThrow(
      /`lake.read` is `direct`, but DuckDB's httpfs extension is not installed/,
    );
  });

  test('httpfs is detected without downloading anything (not installed on this machine)', async () => {
    const engine = new DuckDbEngine();
    cleanups.push(() => engine.close());
    const session = await engine.session();
    cleanups.push(() => session.close());
    const [row] = await session.query(
      "SELECT installed FROM duckdb_extensions() WHERE extension_name = 'httpfs'",
    );
    expect(await loadHttpfs(session)).toBe(row.installed === true);
  });

  test('`read: direct` without httpfs fails on the first read, naming the setting and the fix', async () => {
    const { home, cleanup } = tempHome();
    cleanups.push(cleanup);
    const runtime = await openTestRuntime(exampleDefinitions(), home, {
      config: { lake: { type: 's3', bucket: 'lake', endpoint: 'http://127.0.0.1:9', read: 'direct' } },
    });
    cleanups.push(() => runtime.close());
    const session = await runtime.engine.session();
    cleanups.push(() => session.close());
    const ref = { assetKey: 'stations', partitionKey: null };
    await expect(
      runtime.lake.readable(ref, [{ name: 'data-x.parquet', sha256: 'a'.repeat(64), size: 1 }], session),
    ).rejects.toMatchObject({
      code: 'SF_CONFIG_INVALID',
      message: expect.stringContaining('lake.read: auto'),
    });
  });
});
