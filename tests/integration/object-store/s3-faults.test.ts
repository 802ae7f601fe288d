import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isShopflowError } from '../../../framework/errors/error-catalog.js';
import type { RetryEvent } from '../../../framework/io/blob/retry-policy.js';
import { createObjectStore } from '../../../resources/object-store/create-object-store.js';
import type { ObjectStore } from '../../../resources/object-store/object-store.js';
import { type FaultyProxy, type ProxiedRequest, startFaultyProxy } from '../../support/faulty-proxy.js';
import { startTestS3, type TestS3 } from '../../support/test-s3.js';

const MiB = 1024 * 1024;
const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

let s3: TestS3;
let proxy: FaultyProxy;
let scratch: string;
const stores: ObjectStore[] = [];

/** A store behind the proxy whose retries wait no time and are recorded. */
function faultyStore(options: {
  prefix: string;
  maxAttempts?: number;
  requestTimeoutMs?: number;
  multipart?: boolean;
}) {
  const retries: RetryEvent[] = [];
  const sleeps: number[] = [];
  const store = createObjectStore({
    ...s3.config,
    endpoint: proxy.endpoint,
    prefix: options.prefix,
    versioning: 'manifest',
    ...(options.requestTimeoutMs ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    ...(options.multipart ? { multipartThresholdBytes: 1 * MiB, partSizeBytes: 5 * MiB } : {}),
    retry: {
      maxAttempts: options.maxAttempts ?? 5,
      baseDelayMs: 100,
      maxDelayMs: 5000,
      random: () => 0.5,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      onRetry: (event) => retries.push(event),
    },
  });
  stores.push(store);
  return { store, retries, sleeps };
}

const objectPath = (prefix: string, key: string) => `/${s3.bucket}/${prefix}/${key}`;
const isPutOf = (path: string) => (r: ProxiedRequest) => r.method === 'PUT' && r.path === path;
const isGetOf = (path: string) => (r: ProxiedRequest) => r.method === 'GET' && r.path === path;

beforeAll(async () => {
  s3 = await startTestS3();
  proxy = await startFaultyProxy(s3.endpoint);
  scratch = mkdtempSync(join(tmpdir(), 'shopflow-s3-faults-'));
});

afterEach(() => proxy.reset());

afterAll(async () => {
  for (const store of stores) await store.close();
  await proxy.stop();
  await s3.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('S3 retries through a faulty proxy', () => {
  it('retries 503 SlowDown with backoff until the upload succeeds', async () => {
    const { store, retries, sleeps } = faultyStore({ prefix: 'slowdown' });
    const path = objectPath('slowdown', 'raw/a.csv');
    proxy.addRule({ match: isPutOf(path), action: 'slow-down', times: 2 });
    const put = await store.put('raw/a.csv', 'id\n1\n');
    expect(put.created).toBe(true);
    expect(proxy.count(isPutOf(path))).toBe(3);
    expect(proxy.log.filter(isPutOf(path)).map((r) => r.outcome)).toEqual([
      'slow-down',
      'slow-down',
      'forward',
    ]);
    expect(retries.map((r) => [r.operation, r.attempt])).toEqual([
      ['PUT s3://landing/slowdown/raw/a.csv', 1],
      ['PUT s3://landing/slowdown/raw/a.csv', 2],
    ]);
    expect(sleeps).toEqual([50, 100]);
    expect((await store.get('raw/a.csv')).toString()).toBe('id\n1\n');
  });

  it('retries connections dropped mid-request', async () => {
    const { store } = faultyStore({ prefix: 'dropped' });
    const path = objectPath('dropped', 'raw/a.csv');
    proxy.addRule({ match: isPutOf(path), action: 'drop', times: 2 });
    const body = Buffer.alloc(256 * 1024, 1);
    await store.put('raw/a.csv', body);
    expect(proxy.log.filter(isPutOf(path)).map((r) => r.outcome)).toEqual(['drop', 'drop', 'forward']);
    expect(sha(await store.get('raw/a.csv'))).toBe(sha(body));
  });

  it('retries reads and downloads that drop or answer 500, and writes the file only once complete', async () => {
    const { store } = faultyStore({ prefix: 'reads' });
    await store.put('raw/a.csv', 'content');
    const path = objectPath('reads', 'raw/a.csv');
    proxy.addRule({ match: isGetOf(path), action: 'drop', times: 1 });
    proxy.addRule({ match: isGetOf(path), action: { status: 500, code: 'InternalError' }, times: 1 });
    expect((await store.get('raw/a.csv')).toString()).toBe('content');
    expect(proxy.log.filter(isGetOf(path)).map((r) => r.outcome)).toEqual(['drop', 'status-500', 'forward']);
    proxy.reset();
    proxy.addRule({ match: isGetOf(path), action: 'drop', times: 2 });
    const target = join(scratch, 'download', 'a.csv');
    await store.download('raw/a.csv', target);
    expect(readFileSync(target, 'utf8')).toBe('content');
    expect(readdirSync(join(scratch, 'download'))).toEqual(['a.csv']);
    expect(proxy.count(isGetOf(path))).toBe(3);
  });

  it('retries a request that stalls past the timeout', async () => {
    const { store, retries } = faultyStore({ prefix: 'stall', requestTimeoutMs: 300 });
    const path = objectPath('stall', 'raw/a.csv');
    proxy.addRule({ match: (r) => r.method === 'HEAD' && r.path === path, action: 'stall', times: 1 });
    expect(await store.head('raw/a.csv')).toBeUndefined();
    expect(retries).toHaveLength(1);
    expect((retries[0].error as Error).name).toBe('TimeoutError');
  });

  it('fails a permanent 403 at once, naming bucket, key and the fix', async () => {
    const { store, retries } = faultyStore({ prefix: 'denied' });
    const path = objectPath('denied', 'raw/a.csv');
    proxy.addRule({ match: isPutOf(path), action: 'forbidden' });
    const error = (await store.put('raw/a.csv', 'x').catch((e: unknown) => e)) as Error & { hint?: string };
    expect(isShopflowError(error, 'SF_IO')).toBe(true);
    expect(error.message).toMatch(
      /^access denied: PUT s3:\/\/landing\/denied\/raw\/a\.csv answered AccessDenied \(HTTP 403\)/,
    );
    expect(error.hint).toContain('s3:PutObject on arn:aws:s3:::landing/*');
    expect(proxy.count(isPutOf(path))).toBe(1);
    expect(retries).toEqual([]);
    expect(await store.head('raw/a.csv')).toBeUndefined();
  });

  it('gives up after maxAttempts and says how often it tried', async () => {
    const { store } = faultyStore({ prefix: 'exhausted', maxAttempts: 3 });
    const path = objectPath('exhausted', 'raw/a.csv');
    proxy.addRule({ match: isPutOf(path), action: 'slow-down' });
    const error = (await store.put('raw/a.csv', 'x').catch((e: unknown) => e)) as Error;
    expect(isShopflowError(error, 'SF_IO')).toBe(true);
    expect(error.message).toContain(
      'PUT s3://landing/exhausted/raw/a.csv failed after 3 attempts; last error: SlowDown (HTTP 503)',
    );
    expect(proxy.count(isPutOf(path))).toBe(3);
    expect(await store.head('raw/a.csv')).toBeUndefined();
  });
});

describe('S3 multipart uploads through a faulty proxy', () => {
  const isPart = (path: string, part?: string) => (r: ProxiedRequest) =>
    r.method === 'PUT' &&
    r.path === path &&
    r.query.has('partNumber') &&
    (part === undefined || r.query.get('partNumber') === part);

  it('retries the whole upload when a part fails transiently', async () => {
    const { store, retries } = faultyStore({ prefix: 'mp-retry', multipart: true });
    const path = objectPath('mp-retry', 'big.bin');
    proxy.addRule({ match: isPart(path, '2'), action: 'slow-down', times: 1 });
    const body = Buffer.alloc(11 * MiB, 3);
    const put = await store.put('big.bin', body);
    expect(put).toMatchObject({ size: body.length, sha256: sha(body) });
    expect(retries).toHaveLength(1);
    expect(proxy.count((r) => r.method === 'POST' && r.path === path && r.query.has('uploads'))).toBe(2);
    expect(sha(await store.get('big.bin'))).toBe(sha(body));
  });

  it('leaves no object at all when a multipart upload fails for good, and keeps the previous version', async () => {
    const { store } = faultyStore({ prefix: 'mp-fail', multipart: true });
    const path = objectPath('mp-fail', 'big.bin');
    proxy.addRule({ match: isPart(path, '2'), action: 'forbidden' });
    const error = (await store
      .put('big.bin', Buffer.alloc(11 * MiB, 4))
      .catch((e: unknown) => e)) as Error & { hint?: string };
    expect(isShopflowError(error, 'SF_IO')).toBe(true);
    expect(error.message).toContain('access denied: PUT s3://landing/mp-fail/big.bin');
    // The store tried to abort the upload; s3rver has no AbortMultipartUpload (405), and says so.
    expect(proxy.count((r) => r.method === 'DELETE' && r.path === path && r.query.has('uploadId'))).toBe(1);
    expect(error.hint).toContain('could not be aborted');
    expect(await store.head('big.bin')).toBeUndefined();
    const listed: string[] = [];
    for await (const info of store.list('')) listed.push(info.key);
    expect(listed).toEqual([]);
    expect(await store.listVersions('big.bin')).toEqual([]);

    proxy.reset();
    const small = await store.put('big.bin', 'small first version');
    proxy.addRule({ match: isPart(path), action: 'forbidden' });
    await expect(store.put('big.bin', Buffer.alloc(11 * MiB, 5))).rejects.toThrow(/access denied/);
    expect((await store.get('big.bin')).toString()).toBe('small first version');
    expect((await store.listVersions('big.bin')).map((v) => v.versionId)).toEqual([small.versionId]);
  });
});
