import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { DuckDbEngine } from '../../../framework/duckdb/duckdb-session.js';
import {
  createS3LakeStorage,
  defineAsset,
  defineDefinitions,
  type ShopflowRuntime,
  sql,
} from '../../../framework/index.js';
import { exampleDefinitions } from '../../fixtures/example-graph.js';
import { openTestRuntime, tempHome } from '../../support/example-runtime.js';
import { type FaultyProxy, type ProxiedRequest, startFaultyProxy } from '../../support/faulty-proxy.js';
import { TestLakes } from '../../support/test-lakes.js';
import { testS3Client } from '../../support/test-s3.js';

const NOW = new Date('2024-01-04T12:00:00Z');
const MiB = 1024 * 1024;
const lakes = new TestLakes();
let proxy: FaultyProxy;
const cleanups: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  proxy = await startFaultyProxy((await lakes.s3()).endpoint);
});
afterEach(async () => {
  proxy.reset();
  for (const fn of cleanups.splice(0).reverse()) await fn();
});
afterAll(async () => {
  await proxy.stop();
  await lakes.stop();
});

/** A runtime on an S3 lake reached through the faulty proxy (or, with `direct`, without it). */
async function open(
  definitions = exampleDefinitions(),
  options: { lake?: Record<string, unknown>; extra?: Record<string, unknown>; home?: string } = {},
) {
  let home = options.home;
  if (!home) {
    const temp = tempHome('shopflow-s3-lake-');
    cleanups.push(temp.cleanup);
    home = temp.home;
  }
  const lake =
    options.lake ?? (await lakes.section('s3', home, { endpoint: proxy.endpoint, ...options.extra }));
  const runtime = await openTestRuntime(definitions, home, { now: () => NOW, config: { lake } });
  cleanups.push(() => runtime.close());
  return { home, lake, runtime };
}

function prefixOf(lake: Record<string, unknown>): string {
  return `/${lake.bucket}/${lake.prefix}`;
}

const DAY = { selection: 'readings', partitions: { keys: ['2024-01-02'] } };

const isManifestPut = (folder: string) => (r: ProxiedRequest) =>
  r.method === 'PUT' && r.path === `${folder}_manifest.json`;
const isPartUpload = (r: ProxiedRequest) => r.method === 'PUT' && r.query.has('partNumber');

/** Names of the objects in a partition folder, straight from the bucket. */
async function objectsIn(runtime: ShopflowRuntime, assetKey: string, partitionKey: string | null) {
  const swept = await runtime.lake.sweep(assetKey, { olderThanMs: -60_000, dryRun: true });
  const folder = runtime.lake.locate({ assetKey, partitionKey });
  const head = await runtime.lake.head({ assetKey, partitionKey });
  const referenced = (head?.files ?? []).map((f) => f.name);
  return {
    referenced,
    unreferenced: swept.removed.filter((l) => l.startsWith(folder)).map((l) => l.slice(folder.length)),
  };
}

async function readAll(runtime: ShopflowRuntime, assetKey: string, partitionKey: string | null) {
  const session = await runtime.engine.session();
  try {
    const ref = { assetKey, partitionKey };
    const version = await runtime.lake.head(ref);
    const files = await runtime.lake.readable(ref, version!.files, session);
    return await session.query(
      `select * from read_parquet([${files.map((f) => `'${f}'`).join(',')}]) order by all`,
    );
  } finally {
    session.close();
  }
}

/** About 8 MB of Parquet (hashes do not compress): more than one 5 MiB part. */
const big = defineAsset({
  key: 'big',
  description: 'a table large enough for a multipart upload',
  schema: z.object({ a: z.int(), b: z.int() }),
  materialize: () =>
    sql`select (hash(range) >> 1)::BIGINT as a, (hash(range + 1000000) >> 1)::BIGINT as b from range(500000)`,
});

describe('S3 lake through a faulty proxy', () => {
  test('throttling, 5xx and resets during a multipart upload are retried; the partition commits whole', async () => {
    const local = tempHome('shopflow-local-lake-');
    cleanups.push(local.cleanup);
    const reference = await openTestRuntime(defineDefinitions({ assets: [big] }), local.home);
    cleanups.push(() => reference.close());
    expect((await reference.execute(await reference.plan())).status).toBe('success');
    const [expected] = await reference.store.listMaterializations({ assetKey: 'big', limit: 1 });

    const { lake, runtime } = await open(defineDefinitions({ assets: [big] }), {
      extra: { multipartThresholdBytes: MiB, partSizeBytes: 5 * MiB },
    });
    const folder = `${prefixOf(lake)}big/`;
    proxy.addRule({ match: isPartUpload, action: 'slow-down', times: 1 });
    proxy.addRule({ match: isPartUpload, action: { status: 500, code: 'InternalError' }, times: 1 });
    proxy.addRule({ match: isPartUpload, action: 'drop', times: 1 });
    proxy.addRule({ match: isManifestPut(folder), action: 'slow-down', times: 2 });
    const result = await runtime.execute(await runtime.plan());
    expect(result.status).toBe('success');
    expect(
      proxy.log
        .filter(isPartUpload)
        .map((r) => r.outcome)
        .slice(0, 3),
    ).toEqual(['slow-down', 'status-500', 'drop']);
    expect(proxy.log.filter(isManifestPut(folder)).map((r) => r.outcome)).toEqual([
      'slow-down',
      'slow-down',
      'forward',
    ]);
    const [written] = await runtime.store.listMaterializations({ assetKey: 'big', limit: 1 });
    expect(written.dataVersion).toBe(expected.dataVersion);
    expect(written.rowCount).toBe(500_000);
    const { referenced } = await objectsIn(runtime, 'big', null);
    expect(referenced).toHaveLength(1);
    // A fresh machine (empty cache) reads the same bytes back.
    const other = await open(defineDefinitions({ assets: [big] }), {
      lake: { ...lake, cacheDir: undefined },
    });
    expect(await readAll(other.runtime, 'big', null)).toEqual(await readAll(reference, 'big', null));
  });

  test('a manifest PUT that fails leaves the previous version; its objects stay until a sweep or the next commit', async () => {
    const { home, lake, runtime: first } = await open();
    const only = DAY;
    expect((await first.execute(await first.plan(only))).status).toBe('success');
    // The failing writes produce other data than what is committed.
    const { runtime } = await open(exampleDefinitions({ readingScale: 2 }), { home, lake });
    const ref = { assetKey: 'readings', partitionKey: '2024-01-02' };
    const before = await runtime.lake.head(ref);
    const rows = await readAll(runtime, 'readings', '2024-01-02');
    const folder = `${prefixOf(lake)}readings/partition=2024-01-02/`;
    proxy.addRule({ match: isManifestPut(folder), action: 'forbidden' });
    const failed = await runtime.execute(await runtime.plan({ ...only, force: true }));
    expect(failed.status).toBe('failed');
    expect(failed.outcomes.get('readings[2024-01-02]')!.message).toMatch(
      /access denied: PUT s3:\/\/lake\/.*_manifest\.json/,
    );
    proxy.reset();
    expect(await runtime.lake.head(ref)).toEqual(before);
    expect(await readAll(runtime, 'readings', '2024-01-02')).toEqual(rows);
    // The failed step did not clean up after itself: its object is an orphan now.
    const left = await objectsIn(runtime, 'readings', '2024-01-02');
    expect(left.referenced).toEqual(before!.files.map((f) => f.name));
    expect(left.unreferenced).toHaveLength(1);
    expect(left.unreferenced[0]).toMatch(/^data-.*\.parquet$/);
    // Within the grace period nothing goes; past it (here: any age) the sweep removes the orphan only.
    expect((await runtime.lake.sweep('readings')).removed).toEqual([]);
    const dry = await runtime.lake.sweep('readings', { olderThanMs: 0, dryRun: true });
    expect(dry.removed).toEqual([runtime.lake.locate(ref, left.unreferenced[0])]);
    expect((await objectsIn(runtime, 'readings', '2024-01-02')).unreferenced).toHaveLength(1);
    await runtime.lake.sweep('readings', { olderThanMs: 0 });
    expect((await objectsIn(runtime, 'readings', '2024-01-02')).unreferenced).toEqual([]);
    expect(await readAll(runtime, 'readings', '2024-01-02')).toEqual(rows);

    // With no grace period, the next commit of the partition removes what it no longer references.
    proxy.addRule({ match: isManifestPut(folder), action: 'forbidden', times: 1 });
    await runtime.execute(await runtime.plan({ ...only, force: true }));
    expect((await objectsIn(runtime, 'readings', '2024-01-02')).unreferenced).toHaveLength(1);
    const tidy = await open(exampleDefinitions({ readingScale: 3 }), {
      home,
      lake: { ...lake, orphanGraceMinutes: 0 },
    });
    expect((await tidy.runtime.execute(await tidy.runtime.plan({ ...only, force: true }))).status).toBe(
      'success',
    );
    const after = await objectsIn(tidy.runtime, 'readings', '2024-01-02');
    expect(after.unreferenced).toEqual([]);
    expect(after.referenced).toHaveLength(1);
  });

  test('another writer that committed first (412) fails the step with SF_LAKE_CONFLICT and its version stays', async () => {
    const { home, lake, runtime } = await open();
    await runtime.execute(await runtime.plan(DAY));
    const ref = { assetKey: 'readings', partitionKey: '2024-01-02' };
    const before = await runtime.lake.head(ref);
    proxy.addRule({
      match: isManifestPut(`${prefixOf(lake)}readings/partition=2024-01-02/`),
      action: { status: 412, code: 'PreconditionFailed' },
      times: 1,
    });
    const other = await open(exampleDefinitions({ readingScale: 2 }), { home, lake });
    const result = await other.runtime.execute(await other.runtime.plan({ ...DAY, force: true }));
    expect(result.status).toBe('failed');
    const [failure] = await other.runtime.store.listEvents({ runId: result.runId, types: ['step_failure'] });
    expect(failure.data.code).toBe('SF_LAKE_CONFLICT');
    expect(failure.message).toContain('another writer committed it first');
    expect(await runtime.lake.head(ref)).toEqual(before);
  });

  test('a manifest PUT that landed but whose answer was lost is recognised when its retry gets 412', async () => {
    const { home, lake, runtime } = await open();
    const folder = `${prefixOf(lake)}readings/partition=2024-01-02/`;
    await runtime.execute(await runtime.plan(DAY));
    proxy.reset();
    proxy.addRule({ match: isManifestPut(folder), action: 'drop-response', times: 1 });
    proxy.addRule({
      match: isManifestPut(folder),
      action: { status: 412, code: 'PreconditionFailed' },
      times: 1,
    });
    const other = await open(exampleDefinitions({ readingScale: 2 }), { home, lake });
    const result = await other.runtime.execute(await other.runtime.plan({ ...DAY, force: true }));
    expect(result.status).toBe('success');
    expect(proxy.log.filter(isManifestPut(folder)).map((r) => r.outcome)).toEqual([
      'drop-response',
      'status-412',
    ]);
    const head = await runtime.lake.head({ assetKey: 'readings', partitionKey: '2024-01-02' });
    expect(head!.commitId).toContain(result.runId);
  });

  test('commits are conditional: If-None-Match for a new partition, If-Match with the ETag read before', async () => {
    const { home, lake, runtime } = await open();
    const folder = `${prefixOf(lake)}readings/partition=2024-01-02/`;
    await runtime.execute(await runtime.plan(DAY));
    const first = await runtime.lake.head({ assetKey: 'readings', partitionKey: '2024-01-02' });
    const other = await open(exampleDefinitions({ readingScale: 2 }), { home, lake });
    await other.runtime.execute(await other.runtime.plan({ ...DAY, force: true }));
    // The same bytes again publish nothing: the committed version already is the new one.
    await other.runtime.execute(await other.runtime.plan({ ...DAY, force: true }));
    const puts = proxy.log.filter(isManifestPut(folder));
    expect(puts.map((r) => r.headers['if-none-match'] ?? null)).toEqual(['*', null]);
    expect(puts.map((r) => r.headers['if-match'] ?? null)).toEqual([null, `"${first!.token}"`]);
  });

  test('a bucket that does not exist is named with the environment variable it came from', async () => {
    const temp = tempHome('shopflow-s3-lake-');
    cleanups.push(temp.cleanup);
    const section = await lakes.section('s3', temp.home);
    const lake = createS3LakeStorage(
      { ...section, bucket: 'no-such-bucket' } as Parameters<typeof createS3LakeStorage>[0],
      { home: temp.home, fromEnvironment: { 'lake.bucket': ['SHOPFLOW_LAKE_BUCKET'] } },
    );
    cleanups.push(() => lake.close());
    const error = await lake.head({ assetKey: 'readings', partitionKey: '2024-01-02' }).catch((e) => e);
    expect(error).toMatchObject({
      code: 'SF_IO',
      message: expect.stringContaining('`no-such-bucket` does not exist'),
    });
    expect(error.hint).toContain('fix `bucket` in the `lake` config (`bucket` from SHOPFLOW_LAKE_BUCKET)');
  });

  test('a damaged manifest is an SF_IO error naming the object and the fix', async () => {
    const { lake, runtime } = await open();
    await runtime.execute(await runtime.plan(DAY));
    const client = testS3Client(String(lake.endpoint));
    cleanups.push(() => client.destroy());
    const key = `${lake.prefix}readings/partition=2024-01-02/_manifest.json`;
    await client.send(
      new PutObjectCommand({ Bucket: String(lake.bucket), Key: key, Body: '{"format": "x"}' }),
    );
    await expect(
      runtime.lake.head({ assetKey: 'readings', partitionKey: '2024-01-02' }),
    ).rejects.toMatchObject({
      code: 'SF_IO',
      message: expect.stringMatching(
        /the partition manifest s3:\/\/lake\/.*_manifest\.json is invalid at `format`.*re-materialize the partition/,
      ),
    });
    // Re-materializing replaces the whole partition, so it commits over the damaged manifest.
    const result = await runtime.execute(await runtime.plan({ ...DAY, force: true }));
    expect(result.status).toBe('success');
    expect(await readAll(runtime, 'readings', '2024-01-02')).toHaveLength(72);
  });

  test('a step reads what this process just committed without asking for the manifest again, unless it changed', async () => {
    const { home, lake, runtime } = await open();
    const folder = `${prefixOf(lake)}readings/partition=2024-01-02/`;
    const isManifestGet = (r: ProxiedRequest) => r.method === 'GET' && r.path === `${folder}_manifest.json`;
    const stats = { selection: 'daily_stats', partitions: { keys: ['2024-01-02'] } };
    await runtime.execute(await runtime.plan(DAY));
    proxy.reset();
    expect((await runtime.execute(await runtime.plan(stats))).status).toBe('success');
    expect(proxy.count(isManifestGet)).toBe(0);
    // Another machine (its own cache) rewrites readings with other data: the recorded data version
    // no longer matches what this one saw, so it reads the manifest again and gets the new rows.
    const other = await open(exampleDefinitions({ readingScale: 2 }), {
      home,
      lake: { ...lake, cacheDir: undefined },
    });
    await other.runtime.execute(await other.runtime.plan({ ...DAY, force: true }));
    const maxBefore = (await readAll(runtime, 'daily_stats', '2024-01-02')).map((r) => Number(r.max_t));
    proxy.reset();
    expect((await runtime.execute(await runtime.plan({ ...stats, force: true }))).status).toBe('success');
    expect(proxy.count(isManifestGet)).toBe(1);
    const maxAfter = (await readAll(runtime, 'daily_stats', '2024-01-02')).map((r) => Number(r.max_t));
    expect(maxAfter).toEqual(maxBefore.map((t) => t * 2));
    // A later process on this machine (same cache folder) knows that version too.
    const later = await open(exampleDefinitions(), { home, lake });
    proxy.reset();
    expect((await later.runtime.execute(await later.runtime.plan({ ...stats, force: true }))).status).toBe(
      'success',
    );
    expect(proxy.count(isManifestGet)).toBe(0);
  });

  test('reads go through the read cache: one download per file, a reset download is retried', async () => {
    const { lake, runtime } = await open();
    await runtime.execute(await runtime.plan({ selection: 'readings' }));
    proxy.reset();
    const reader = await open(exampleDefinitions(), { lake: { ...lake, cacheDir: undefined } });
    const isDataGet = (r: ProxiedRequest) => r.method === 'GET' && r.path.endsWith('.parquet');
    proxy.addRule({ match: isDataGet, action: 'drop', times: 1 });
    const first = await readAll(reader.runtime, 'readings', '2024-01-03');
    expect(first).toHaveLength(72);
    expect(proxy.log.filter(isDataGet).map((r) => r.outcome)).toEqual(['drop', 'forward']);
    expect(await readAll(reader.runtime, 'readings', '2024-01-03')).toEqual(first);
    expect(proxy.count(isDataGet)).toBe(2);
  });

  test('the read cache stays within its size limit, evicting the least recently used files', async () => {
    const { lake, runtime } = await open();
    await runtime.execute(await runtime.plan({ selection: 'readings' }));
    const sizes = await Promise.all(
      ['2024-01-01', '2024-01-02', '2024-01-03'].map(
        async (day) => (await runtime.lake.head({ assetKey: 'readings', partitionKey: day }))!.files[0].size!,
      ),
    );
    // Room for two of the three files.
    const limitMb = (sizes[0] + sizes[1] + sizes[2] / 2) / MiB;
    const reader = await open(exampleDefinitions(), {
      lake: { ...lake, cacheDir: undefined, cacheSizeMb: limitMb },
    });
    const cache = (reader.runtime.lake as unknown as { cache: { usage(): { files: number; bytes: number } } })
      .cache;
    const isDataGet = (r: ProxiedRequest) => r.method === 'GET' && r.path.endsWith('.parquet');
    proxy.reset();
    for (const day of ['2024-01-01', '2024-01-02', '2024-01-03'])
      await readAll(reader.runtime, 'readings', day);
    expect(proxy.count(isDataGet)).toBe(3);
    expect(cache.usage().files).toBe(2);
    expect(cache.usage().bytes).toBeLessThanOrEqual(limitMb * MiB);
    // The least recently used day (the first) was evicted: reading it downloads again, the others do not.
    await readAll(reader.runtime, 'readings', '2024-01-03');
    expect(proxy.count(isDataGet)).toBe(3);
    await readAll(reader.runtime, 'readings', '2024-01-01');
    expect(proxy.count(isDataGet)).toBe(4);
  });
});

describe('S3 lake housekeeping', () => {
  test('a replaced version stays readable through the grace period, however old its files are', async () => {
    const temp = tempHome('shopflow-s3-retire-');
    cleanups.push(temp.cleanup);
    const section = await lakes.section('s3', temp.home, { orphanGraceMinutes: 60 });
    let clock = Date.now();
    const lake = createS3LakeStorage(section as Parameters<typeof createS3LakeStorage>[0], {
      home: temp.home,
      now: () => clock,
    });
    cleanups.push(() => lake.close());
    const engine = new DuckDbEngine();
    cleanups.push(() => engine.close());
    const session = await engine.session();
    cleanups.push(() => session.close());
    const ref = { assetKey: 'notes', partitionKey: null };
    const commit = async (value: number) => {
      const staging = await lake.stage(ref, `run-${value}`);
      try {
        const file = staging.path('.parquet');
        await session.run(`copy (select ${value}::INTEGER as v) to '${file}' (format parquet)`);
        return await lake.commit(ref, {
          runId: `run-${value}`,
          data: { kind: 'replace', file },
          base: await lake.head(ref),
        });
      } finally {
        await staging.dispose();
      }
    };
    const first = await commit(1);
    // Two hours later its file is old; a reader takes the version just before it is replaced.
    clock += 2 * 3_600_000;
    const read = await lake.head(ref);
    await commit(2);
    const objects = async () =>
      (await lake.sweep('notes', { olderThanMs: -3_600_000, dryRun: true })).removed;
    expect(await objects()).toEqual([lake.locate(ref, first.files[0].name)]);
    // Housekeeping and a sweep within the grace period keep it: the reader still gets its rows.
    expect((await lake.sweep('notes')).removed).toEqual([]);
    const reader = await engine.session();
    cleanups.push(() => reader.close());
    const elsewhere = createS3LakeStorage(
      { ...(section as Parameters<typeof createS3LakeStorage>[0]), cacheDir: join(temp.home, 'other-cache') },
      { home: temp.home },
    );
    cleanups.push(() => elsewhere.close());
    const files = await elsewhere.readable(ref, read!.files, reader);
    expect(await reader.query(`select v from read_parquet('${files[0]}')`)).toEqual([{ v: 1 }]);
    // Once the grace period has passed since it was replaced, the next commit removes it.
    clock += 3_600_000 + 1000;
    await commit(3);
    const left = await objects();
    expect(left).toHaveLength(1);
    expect(left[0]).not.toBe(lake.locate(ref, first.files[0].name));
  });
});
