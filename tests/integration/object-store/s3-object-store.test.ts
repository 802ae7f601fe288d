import { createHash } from 'node:crypto';
import { ListObjectsCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isShopflowError } from '../../../framework/errors/error-catalog.js';
import { createObjectStore } from '../../../resources/object-store/create-object-store.js';
import { createS3ObjectStore } from '../../../resources/object-store/s3/s3-object-store.js';
import { type FaultyProxy, startFaultyProxy } from '../../support/faulty-proxy.js';
import { startTestS3, type TestS3, testS3Client } from '../../support/test-s3.js';

const MiB = 1024 * 1024;
const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

let s3: TestS3;
let proxy: FaultyProxy;
let raw: S3Client;

async function rawKeys(prefix = ''): Promise<string[]> {
  const page = await raw.send(new ListObjectsCommand({ Bucket: s3.bucket, Prefix: prefix }));
  return (page.Contents ?? []).map((o) => o.Key!).sort();
}

beforeAll(async () => {
  s3 = await startTestS3();
  proxy = await startFaultyProxy(s3.endpoint);
  raw = testS3Client(s3.endpoint);
});

afterAll(async () => {
  raw.destroy();
  await proxy.stop();
  await s3.stop();
});

describe('S3 object store against s3rver', () => {
  it('finds versioning not enabled on s3rver and keeps versions with manifests under the prefix', async () => {
    const store = createS3ObjectStore({ ...s3.config, prefix: 'layout' });
    expect(store.description).toBe('s3://landing/layout/');
    // s3rver answers GetBucketVersioning without a Status (it has no versioning at all).
    expect(await store.versioningMode()).toBe('manifest');
    const v1 = await store.put('raw/a.csv', 'one');
    await store.put('raw/a.csv', 'two');
    expect(await rawKeys('layout/')).toEqual([
      'layout/_versions/raw/a.csv.manifest.json',
      `layout/_versions/raw/a.csv.versions/${v1.versionId}`,
      'layout/raw/a.csv',
    ]);
    await store.close();
  });

  it('asks the bucket for its versioning status only once', async () => {
    proxy.reset();
    const store = createObjectStore({ ...s3.config, endpoint: proxy.endpoint, prefix: 'once' });
    await store.put('a.csv', 'a');
    await store.put('b.csv', 'b');
    await store.head('a.csv');
    expect(proxy.count((r) => r.query.has('versioning'))).toBe(1);
    await store.close();
  });

  it('uses native S3 versions when the bucket reports versioning Enabled', async () => {
    proxy.reset();
    proxy.addRule({
      match: (r) => r.method === 'GET' && r.query.has('versioning'),
      action: {
        status: 200,
        body: '<?xml version="1.0" encoding="UTF-8"?><VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>',
      },
    });
    const store = createS3ObjectStore({ ...s3.config, endpoint: proxy.endpoint, prefix: 'native' });
    expect(await store.versioningMode()).toBe('native');
    // s3rver itself keeps no versions: it returns no VersionId, which S3 calls `null`.
    const put = await store.put('raw/a.csv', 'bytes', { metadata: { source: 'test' } });
    expect(put).toMatchObject({ versionId: 'null', created: true, sha256: sha('bytes') });
    expect(await store.put('raw/a.csv', 'bytes')).toMatchObject({ created: false });
    expect(await store.head('raw/a.csv')).toMatchObject({
      sha256: sha('bytes'),
      size: 5,
      metadata: { source: 'test' },
    });
    expect(await rawKeys('native/')).toEqual(['native/raw/a.csv']);
    await store.close();
  });

  it('uploads large bodies as multipart and lists through many pages', async () => {
    proxy.reset();
    const store = createObjectStore({
      ...s3.config,
      endpoint: proxy.endpoint,
      prefix: 'multipart',
      multipartThresholdBytes: 1 * MiB,
      partSizeBytes: 5 * MiB,
      listPageSize: 1,
    });
    const body = Buffer.alloc(11 * MiB + 123, 7);
    body.write('start', 0);
    const put = await store.put('big/file.bin', body);
    expect(put).toMatchObject({ size: body.length, sha256: sha(body), created: true });
    expect(proxy.count((r) => r.method === 'POST' && r.query.has('uploads'))).toBe(1);
    expect(proxy.count((r) => r.method === 'PUT' && r.query.has('partNumber'))).toBe(3);
    expect(sha(await store.get('big/file.bin'))).toBe(sha(body));
    for (const name of ['a', 'b', 'c']) await store.put(`big/${name}.txt`, name);
    proxy.reset();
    const listed: string[] = [];
    for await (const info of store.list('big/')) listed.push(info.key);
    expect(listed).toEqual(['big/a.txt', 'big/b.txt', 'big/c.txt', 'big/file.bin']);
    expect(proxy.count((r) => r.method === 'GET' && r.query.get('prefix') === 'multipart/big/')).toBe(4);
    await store.close();
  });

  it('fails at once with the bucket named when the bucket does not exist', async () => {
    proxy.reset();
    const store = createObjectStore({
      ...s3.config,
      endpoint: proxy.endpoint,
      bucket: 'no-such-bucket',
      versioning: 'manifest',
    });
    const error = (await store.put('raw/a.csv', 'x').catch((e: unknown) => e)) as Error;
    expect(isShopflowError(error, 'SF_IO')).toBe(true);
    expect(error.message).toContain('S3 bucket `no-such-bucket` does not exist');
    expect(error.message).toContain('create the bucket');
    expect(proxy.count()).toBeLessThanOrEqual(2);
    await store.close();
  });

  it('fails at once on wrong credentials, without printing them', async () => {
    proxy.reset();
    const secret = 'wJalrXUtnFEMI-not-the-real-secret';
    const store = createObjectStore({
      ...s3.config,
      endpoint: proxy.endpoint,
      credentials: { accessKeyId: 'AKIAWRONGKEY0000', secretAccessKey: secret },
    });
    const error = (await store.put('raw/a.csv', 'x').catch((e: unknown) => e)) as Error & { hint?: string };
    expect(isShopflowError(error, 'SF_IO')).toBe(true);
    expect(error.message).toMatch(
      /^access denied: GET VERSIONING s3:\/\/landing answered InvalidAccessKeyId \(HTTP 403\)/,
    );
    expect(error.hint).toContain('AWS_ACCESS_KEY_ID');
    expect(proxy.count()).toBe(1);
    const everything = JSON.stringify({
      message: error.message,
      cause: String(error.cause),
      details: (error as { details?: unknown }).details,
    });
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain('AKIAWRONGKEY0000');
    await store.close();
  });

  it('reports an endpoint nobody listens on as unreachable', async () => {
    const store = createObjectStore({ ...s3.config, endpoint: 'http://127.0.0.1:1', versioning: 'manifest' });
    const error = (await store.head('raw/a.csv').catch((e: unknown) => e)) as Error;
    expect(isShopflowError(error, 'SF_UNREACHABLE')).toBe(true);
    expect(error.message).toContain('cannot reach S3 at http://127.0.0.1:1');
    await store.close();
  });
});
