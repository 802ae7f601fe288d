import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isShopflowError } from '../../../framework/errors/error-catalog.js';
import { createObjectStore } from '../../../resources/object-store/create-object-store.js';
import { landingKey } from '../../../resources/object-store/landing-keys.js';
import type { ObjectInfo, ObjectStore } from '../../../resources/object-store/object-store.js';
import { startTestS3 } from '../../support/test-s3.js';

interface Backend {
  name: string;
  start(): Promise<{ store: ObjectStore; stop(): Promise<void> }>;
}

const BACKENDS: Backend[] = [
  {
    name: 'local',
    async start() {
      const root = mkdtempSync(join(tmpdir(), 'shopflow-contract-local-'));
      const store = createObjectStore({ type: 'local', path: root });
      return { store, stop: async () => rmSync(root, { recursive: true, force: true }) };
    },
  },
  {
    name: 's3',
    async start() {
      const s3 = await startTestS3();
      // NOTE: a page size of 2 makes every listing below paginate.
      const store = createObjectStore({ ...s3.config, prefix: 'contract', listPageSize: 2 });
      return { store, stop: () => s3.stop() };
    },
  },
];

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const KEY = landingKey({ date: '2024-01-15', dataset: 'customers', file: 'customers.csv' });

async function collect(iterable: AsyncIterable<ObjectInfo>): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of iterable) keys.push(info.key);
  return keys;
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: Error) => error,
  );
}

for (const backend of BACKENDS) {
  describe(`object store contract: ${backend.name}`, () => {
    let store: ObjectStore;
    let stop: () => Promise<void>;
    let scratch: string;

    beforeAll(async () => {
      ({ store, stop } = await backend.start());
      scratch = mkdtempSync(join(tmpdir(), 'shopflow-contract-files-'));
    });

    afterAll(async () => {
      await store.close();
      await stop();
      rmSync(scratch, { recursive: true, force: true });
    });

    it('puts and gets bytes, with head describing them', async () => {
      const body = 'customer_id,email\n1,ada@example.com\n';
      const put = await store.put(KEY, body, { contentType: 'text/csv', metadata: { source: 'generator' } });
      expect(put).toMatchObject({
        key: KEY,
        sha256: sha(body),
        size: Buffer.byteLength(body),
        created: true,
      });
      expect(put.versionId).not.toBe('');
      expect((await store.get(KEY)).toString()).toBe(body);
      const head = await store.head(KEY);
      expect(head).toMatchObject({
        key: KEY,
        size: Buffer.byteLength(body),
        versionId: put.versionId,
        sha256: sha(body),
        contentType: 'text/csv',
        metadata: { source: 'generator' },
      });
      expect(head?.lastModified).toBeInstanceOf(Date);
    });

    it('re-putting identical bytes creates no version and returns the current one', async () => {
      const body = 'id\n1\n';
      const key = 'contract/idempotent.csv';
      const first = await store.put(key, body);
      const again = await store.put(key, Buffer.from(body));
      expect(again).toMatchObject({ versionId: first.versionId, created: false, sha256: first.sha256 });
      expect(await store.listVersions(key)).toHaveLength(1);
    });

    it('changed bytes make a new version and the old ones stay readable', async () => {
      const key = 'contract/changing.csv';
      const v1 = await store.put(key, 'v1');
      const v2 = await store.put(key, 'v2 longer');
      const v3 = await store.put(key, 'v3');
      expect(new Set([v1.versionId, v2.versionId, v3.versionId]).size).toBe(3);
      expect((await store.get(key)).toString()).toBe('v3');
      expect((await store.get(key, { versionId: v1.versionId })).toString()).toBe('v1');
      expect((await store.get(key, { versionId: v2.versionId })).toString()).toBe('v2 longer');
      expect((await store.get(key, { versionId: v3.versionId })).toString()).toBe('v3');
      const versions = await store.listVersions(key);
      expect(versions.map((v) => [v.versionId, v.size, v.sha256, v.isLatest])).toEqual([
        [v3.versionId, 2, sha('v3'), true],
        [v2.versionId, 9, sha('v2 longer'), false],
        [v1.versionId, 2, sha('v1'), false],
      ]);
      // Going back to earlier bytes is a change too: a new version, nothing overwritten.
      const back = await store.put(key, 'v1');
      expect(back.created).toBe(true);
      expect(await store.listVersions(key)).toHaveLength(4);
    });

    it('streams, downloads atomically and accepts stream and file bodies', async () => {
      const key = 'contract/bodies.bin';
      const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
      const source = join(scratch, 'source.bin');
      writeFileSync(source, bytes);
      const fromFile = await store.put(key, { file: source });
      expect(fromFile).toMatchObject({ size: bytes.length, sha256: sha(bytes) });
      const fromStream = await store.put(key, Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]));
      expect(fromStream).toMatchObject({ versionId: fromFile.versionId, created: false });

      const chunks: Buffer[] = [];
      for await (const chunk of await store.getStream(key)) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).equals(bytes)).toBe(true);

      const target = join(scratch, 'out', 'downloaded.bin');
      await store.download(key, target);
      expect(readFileSync(target).equals(bytes)).toBe(true);
      await store.put(key, 'replaced');
      await store.download(key, target, { versionId: fromFile.versionId });
      expect(readFileSync(target).equals(bytes)).toBe(true);
      expect(readdirSync(join(scratch, 'out'))).toEqual(['downloaded.bin']);
    });

    it('lists every key under a prefix, sorted, without version sidecars', async () => {
      const day = (d: string, file: string) => landingKey({ date: d, dataset: 'transactions', file });
      const keys = [
        day('2024-02-01', 'a.csv'),
        day('2024-02-01', 'b.csv'),
        day('2024-02-02', 'a.csv'),
        day('2024-03-01', 'a.csv'),
      ];
      for (const key of keys) await store.put(key, key);
      await store.put(keys[0], 'second version');
      expect(await collect(store.list('raw/year=2024/month=02/'))).toEqual(keys.slice(0, 3));
      expect(await collect(store.list('raw/year=2024/month=0'))).toEqual(expect.arrayContaining(keys));
      expect(await collect(store.list('raw/year=2024/month=02/day=02/transactions/'))).toEqual([keys[2]]);
      expect(await collect(store.list('raw/year=1999/'))).toEqual([]);
      const everything = await collect(store.list(''));
      expect(everything).toEqual([...everything].sort());
      expect(everything.some((k) => k.startsWith('_versions'))).toBe(false);
      expect(everything).toEqual(expect.arrayContaining(keys));
      const sizes: number[] = [];
      for await (const info of store.list('raw/year=2024/month=03/')) sizes.push(info.size);
      expect(sizes).toEqual([Buffer.byteLength(keys[3])]);
    });

    it('delete removes the object and all its versions', async () => {
      const key = 'contract/deleted.csv';
      await store.put(key, 'one');
      await store.put(key, 'two');
      await store.delete(key);
      expect(await store.head(key)).toBeUndefined();
      expect(await store.listVersions(key)).toEqual([]);
      expect(await collect(store.list('contract/deleted'))).toEqual([]);
      expect(isShopflowError(await failure(store.get(key)), 'SF_OBJECT_NOT_FOUND')).toBe(true);
      await store.delete(key);
      const fresh = await store.put(key, 'three');
      expect(await store.listVersions(key)).toHaveLength(1);
      expect(fresh.created).toBe(true);
    });

    it('answers a missing key or version with SF_OBJECT_NOT_FOUND and a hint', async () => {
      expect(await store.head('contract/nothing-here.csv')).toBeUndefined();
      const missing = await failure(store.get(KEY.replace('customers.csv', 'custmers.csv')));
      expect(isShopflowError(missing, 'SF_OBJECT_NOT_FOUND')).toBe(true);
      expect(missing.message).toContain(`did you mean \`${KEY}\`?`);
      const version = await failure(store.get(KEY, { versionId: '20000101T000000000Z-00000000' }));
      expect(isShopflowError(version, 'SF_OBJECT_NOT_FOUND')).toBe(true);
      expect(version.message).toContain('has no version `20000101T000000000Z-00000000`');
      expect(
        isShopflowError(
          await failure(store.download('contract/nothing-here.csv', join(scratch, 'x'))),
          'SF_OBJECT_NOT_FOUND',
        ),
      ).toBe(true);
      expect(
        isShopflowError(await failure(store.getStream('contract/nothing-here.csv')), 'SF_OBJECT_NOT_FOUND'),
      ).toBe(true);
    });

    it('rejects invalid keys before touching storage', async () => {
      for (const key of [
        '../escape.csv',
        '/absolute.csv',
        'a//b.csv',
        '_versions/x.csv',
        'x.manifest.json',
      ]) {
        expect(isShopflowError(await failure(store.put(key, 'x')), 'SF_INPUT_INVALID')).toBe(true);
        expect(isShopflowError(await failure(store.get(key)), 'SF_INPUT_INVALID')).toBe(true);
      }
      expect(isShopflowError(await failure(collect(store.list('../'))), 'SF_INPUT_INVALID')).toBe(true);
    });
  });
}
