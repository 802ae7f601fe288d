import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isShopflowError } from '../../../framework/errors/error-catalog.js';
import { createObjectStore } from '../../../resources/object-store/create-object-store.js';
import { createLocalObjectStore } from '../../../resources/object-store/local/local-object-store.js';
import type { ObjectStore } from '../../../resources/object-store/object-store.js';

const KEY = 'raw/year=2024/month=01/day=15/customers/customers.csv';
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

let root: string;
let store: ObjectStore;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'shopflow-local-store-'));
  store = createObjectStore({ type: 'local', path: root });
});

afterEach(async () => {
  await store.close();
  rmSync(root, { recursive: true, force: true });
});

function filesUnder(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(folder.length + 1))
    .sort();
}

describe('local object store', () => {
  it('describes itself by folder', () => {
    expect(store.kind).toBe('local');
    expect(store.description).toBe(`local:${root}`);
  });

  it('keeps the live object at its key and earlier versions and the manifest under _versions/', async () => {
    const first = await store.put(KEY, 'id\n1\n', { contentType: 'text/csv' });
    const second = await store.put(KEY, 'id\n1\n2\n');
    expect(readFileSync(join(root, KEY), 'utf8')).toBe('id\n1\n2\n');
    expect(filesUnder(root)).toEqual([
      `_versions/${KEY}.manifest.json`,
      `_versions/${KEY}.versions/${first.versionId}`,
      KEY,
    ]);
    expect(readFileSync(join(root, `_versions/${KEY}.versions/${first.versionId}`), 'utf8')).toBe('id\n1\n');
    const manifest = JSON.parse(readFileSync(join(root, `_versions/${KEY}.manifest.json`), 'utf8'));
    expect(manifest.versions.map((v: { versionId: string }) => v.versionId)).toEqual([
      second.versionId,
      first.versionId,
    ]);
    expect(manifest.versions[1]).toMatchObject({ sha256: sha('id\n1\n'), size: 5, contentType: 'text/csv' });
  });

  it('leaves no temporary files behind', async () => {
    await store.put(KEY, 'a');
    await store.put(KEY, Readable.from(['b', 'c']));
    await store.download(KEY, join(root, 'out', 'copy.csv'));
    expect(readdirSync(join(root, '_versions', '.staging'))).toEqual([]);
    expect(readdirSync(join(root, 'out'))).toEqual(['copy.csv']);
  });

  it('stores small and large file bodies alike (small ones without the thread pool), versions both, reads both back', async () => {
    const source = mkdtempSync(join(tmpdir(), 'shopflow-put-source-'));
    try {
      const small = join(source, 'small.csv');
      const large = join(source, 'large.csv');
      writeFileSync(small, 'id\n1\n');
      // Above the 4 MiB below which the local store reads and writes objects in one blocking call.
      const big = `${'0123456789abcdef'.repeat(4096)}\n`.repeat(80);
      writeFileSync(large, big);
      for (const [file, text] of [
        [small, 'id\n1\n'],
        [large, big],
      ] as const) {
        const key = `raw/${file.endsWith('small.csv') ? 'small' : 'large'}.csv`;
        const first = await store.put(key, { file });
        expect(first).toMatchObject({ sha256: sha(text), size: text.length, created: true });
        expect(await store.put(key, { file })).toMatchObject({ versionId: first.versionId, created: false });
        const second = await store.put(key, `${text}2\n`);
        expect((await store.get(key)).toString()).toBe(`${text}2\n`);
        expect((await store.get(key, { versionId: first.versionId })).toString()).toBe(text);
        expect((await store.listVersions(key)).map((v) => v.versionId)).toEqual([
          second.versionId,
          first.versionId,
        ]);
      }
      expect(readdirSync(join(root, '_versions', '.staging'))).toEqual([]);
      expect(readFileSync(small, 'utf8')).toBe('id\n1\n');
    } finally {
      rmSync(source, { recursive: true, force: true });
    }
  });

  it('a read-only download shares the stored bytes of the version asked for; a plain one copies them', async () => {
    const first = await store.put(KEY, 'id\n1\n');
    await store.put(KEY, 'id\n1\n2\n');
    const out = join(root, 'out');
    await mkdir(out);
    await store.download(KEY, join(out, 'linked.csv'), { readOnly: true });
    await store.download(KEY, join(out, 'old.csv'), { versionId: first.versionId, readOnly: true });
    await store.download(KEY, join(out, 'copy.csv'));
    expect(statSync(join(out, 'linked.csv')).ino).toBe(statSync(join(root, KEY)).ino);
    expect(statSync(join(out, 'old.csv')).ino).toBe(
      statSync(join(root, `_versions/${KEY}.versions/${first.versionId}`)).ino,
    );
    expect(statSync(join(out, 'copy.csv')).ino).not.toBe(statSync(join(root, KEY)).ino);
    expect(readFileSync(join(out, 'old.csv'), 'utf8')).toBe('id\n1\n');
    // NOTE: a later put replaces the live file, so the linked download keeps the bytes it was given.
    await store.put(KEY, 'id\n3\n');
    expect(readFileSync(join(out, 'linked.csv'), 'utf8')).toBe('id\n1\n2\n');
    expect(readdirSync(out).sort()).toEqual(['copy.csv', 'linked.csv', 'old.csv']);
  });

  it('keeps the previous version intact when a stream body fails midway', async () => {
    await store.put(KEY, 'good bytes');
    const broken = new Readable({
      read() {
        this.push('partial ');
        this.destroy(new Error('source went away'));
      },
    });
    const error = await store.put(KEY, broken).catch((e: unknown) => e);
    expect(isShopflowError(error, 'SF_IO')).toBe(true);
    expect((await store.get(KEY)).toString()).toBe('good bytes');
    expect(await store.listVersions(KEY)).toHaveLength(1);
    expect(readdirSync(join(root, '_versions', '.staging'))).toEqual([]);
  });

  it('never loses a live object written behind its back: it becomes a version of its own', async () => {
    const first = await store.put(KEY, 'v1');
    // Another tool (or a crash between writing and recording) replaces the live file.
    writeFileSync(join(root, KEY), 'written elsewhere');
    utimesSync(join(root, KEY), new Date('2024-01-16T00:00:00Z'), new Date('2024-01-16T00:00:00Z'));
    const found = await store.head(KEY);
    expect(found?.versionId).toMatch(/^20240116T000000000Z-[0-9a-f]{8}$/);
    expect((await store.listVersions(KEY)).map((v) => v.versionId)).toEqual([
      found?.versionId,
      first.versionId,
    ]);
    const third = await store.put(KEY, 'v3');
    expect((await store.listVersions(KEY)).map((v) => v.versionId)).toEqual([
      third.versionId,
      found?.versionId,
      first.versionId,
    ]);
    expect((await store.get(KEY, { versionId: found!.versionId })).toString()).toBe('written elsewhere');
    // The in-place overwrite destroyed v1's bytes before the store could keep them; it says so.
    const lost = (await store.get(KEY, { versionId: first.versionId }).catch((e: unknown) => e)) as Error;
    expect(isShopflowError(lost, 'SF_OBJECT_NOT_FOUND')).toBe(true);
    expect(lost.message).toContain('is recorded in');
    expect(lost.message).toContain('its bytes are missing');
  });

  it('adopts an object that existed before the store kept versions, and recognises identical bytes', async () => {
    await mkdir(join(root, 'raw'), { recursive: true });
    await writeFile(join(root, 'raw', 'legacy.csv'), 'old');
    const again = await store.put('raw/legacy.csv', 'old');
    expect(again.created).toBe(false);
    expect(again.sha256).toBe(sha('old'));
    const versions = await store.listVersions('raw/legacy.csv');
    expect(versions.map((v) => [v.versionId, v.sha256])).toEqual([[again.versionId, sha('old')]]);
  });

  it('serialises concurrent puts of one key: every version is recorded', async () => {
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((text) => store.put(KEY, text)));
    const versions = await store.listVersions(KEY);
    expect(versions).toHaveLength(4);
    expect(new Set(versions.map((v) => v.versionId))).toEqual(new Set(results.map((r) => r.versionId)));
    for (const result of results) {
      expect((await store.get(KEY, { versionId: result.versionId })).toString()).toBe(
        ['a', 'b', 'c', 'd'][results.indexOf(result)],
      );
    }
  });

  it('stores a stream body once and can land the same file again idempotently', async () => {
    const source = join(root, 'source.csv');
    writeFileSync(source, 'id,name\n1,Ada\n');
    const fromStream = await store.put(
      KEY,
      Readable.from([Buffer.from('id,name\n'), Buffer.from('1,Ada\n')]),
    );
    const fromFile = await store.put(KEY, { file: source });
    expect(fromFile).toMatchObject({ versionId: fromStream.versionId, created: false, size: 14 });
  });

  it('reports a corrupt manifest with its path and the way out', async () => {
    await store.put(KEY, 'v1');
    writeFileSync(join(root, `_versions/${KEY}.manifest.json`), '{ not json');
    const error = (await store.listVersions(KEY).catch((e: unknown) => e)) as Error;
    expect(isShopflowError(error, 'SF_IO')).toBe(true);
    expect(error.message).toContain(join(root, '_versions', `${KEY}.manifest.json`));
    expect(error.message).toContain('delete it');
    expect((await store.get(KEY)).toString()).toBe('v1');
  });

  it('explains a key that would need a file and a folder of one name', async () => {
    await store.put('raw/a', 'file');
    const error = (await store.put('raw/a/b', 'child').catch((e: unknown) => e)) as Error;
    expect(isShopflowError(error, 'SF_IO')).toBe(true);
    expect(error.message).toContain('a file and a folder would share one name');
  });

  it('removes emptied folders on delete, so the name can become a folder later', async () => {
    await store.put('raw/a/b.csv', 'x');
    await store.delete('raw/a/b.csv');
    expect(existsSync(join(root, 'raw'))).toBe(false);
    expect(existsSync(join(root, '_versions', 'raw'))).toBe(false);
    await store.put('raw/a', 'now a file');
    expect(statSync(join(root, 'raw', 'a')).isFile()).toBe(true);
  });

  it('names near keys when one is missing', async () => {
    await store.put('raw/customers.csv', 'x');
    const error = (await store.get('raw/custmers.csv').catch((e: unknown) => e)) as Error;
    expect(isShopflowError(error, 'SF_OBJECT_NOT_FOUND')).toBe(true);
    expect(error.message).toContain('no object `raw/custmers.csv`');
    expect(error.message).toContain('did you mean `raw/customers.csv`?');
  });

  it('gives version ids that sort by write time', async () => {
    let now = new Date('2024-03-01T10:00:00.000Z');
    const clocked = createLocalObjectStore({ type: 'local', path: join(root, 'clocked') }, () => now);
    const a = await clocked.put('k', '1');
    now = new Date('2024-03-01T10:00:01.000Z');
    const b = await clocked.put('k', '2');
    expect(a.versionId).toMatch(/^20240301T100000000Z-[0-9a-f]{8}$/);
    expect(b.versionId > a.versionId).toBe(true);
    expect((await clocked.listVersions('k')).map((v) => v.versionId)).toEqual([b.versionId, a.versionId]);
  });
});
