import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { embeddedPostgresDoctorCheck } from '../../../assets/commands/db-commands.js';
import type { DoctorContext } from '../../../framework/index.js';
import type { LakeStorage } from '../../../framework/io/lake-storage/lake-storage.js';
import { createLocalLakeStorage } from '../../../framework/io/lake-storage/local/local-lake-storage.js';
import { tempHome, testConfig } from '../../support/example-runtime.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const fn of cleanups.splice(0)) fn();
});

const ref = { assetKey: 'orders', partitionKey: '2024-01-15' };
const session = {} as never;

/** Bytes shaped like a Parquet file (magic at both ends); the local lake never parses them. */
function parquetLike(fill: string, size = 200): Buffer {
  return Buffer.concat([
    Buffer.from('PAR1'),
    Buffer.from(fill.repeat(size).slice(0, size - 8)),
    Buffer.from('PAR1'),
  ]);
}

function setup() {
  const { home, cleanup } = tempHome('shopflow-lake-integrity-');
  cleanups.push(cleanup);
  const lake = createLocalLakeStorage({ type: 'local', path: join(home, 'lake') });
  const dir = join(home, 'lake', 'orders', 'partition=2024-01-15');
  let n = 0;
  const staged = (bytes: Buffer) => {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `.tmp-run-${n++}.parquet`);
    writeFileSync(file, bytes);
    return file;
  };
  const replace = async (lakeStorage: LakeStorage, bytes: Buffer, quarantine?: Buffer | null) =>
    await lakeStorage.commit(ref, {
      runId: 'run',
      data: { kind: 'replace', file: staged(bytes) },
      ...(quarantine === undefined ? {} : { quarantine: quarantine === null ? null : staged(quarantine) }),
      base: await lakeStorage.head(ref),
    });
  return { home, lake, dir, replace, data: join(dir, 'data.parquet') };
}

function flipByte(path: string, at: number) {
  const bytes = readFileSync(path);
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.from([bytes[at] ^ 0xff]), 0, 1, at);
  closeSync(fd);
}

describe('the local lake records what it wrote and verifies what it reads', () => {
  test('a commit returns the version a later head reads back, whatever it changed', async () => {
    const { lake, dir, replace } = setup();
    const fresh = createLocalLakeStorage({ type: 'local', path: join(dir, '..', '..', '..', 'lake') });
    const agrees = async (version: Awaited<ReturnType<LakeStorage['commit']>>) => {
      expect(await lake.head(ref)).toEqual(version);
      // Another process, with nothing cached, reads the same list from disk.
      expect(await fresh.head(ref)).toEqual(version);
    };
    await agrees(await replace(lake, parquetLike('a'), parquetLike('q', 100)));
    await agrees(await replace(lake, parquetLike('b')));
    await agrees(await replace(lake, parquetLike('c'), null));
    mkdirSync(dir, { recursive: true });
    const part = join(dir, '.tmp-run-part.parquet');
    writeFileSync(part, parquetLike('d'));
    const appended = await lake.commit(ref, {
      runId: 'run',
      data: { kind: 'append', file: part },
      base: await lake.head(ref),
    });
    expect(appended.files).toHaveLength(2);
    await agrees(appended);
    const merged = join(dir, '.tmp-run-merged.parquet');
    writeFileSync(merged, parquetLike('e'));
    const compacted = await lake.commit(ref, {
      runId: 'run',
      data: { kind: 'compact', file: merged, replaces: appended.files },
      quarantine: null,
      base: appended,
    });
    expect(compacted.files).toHaveLength(1);
    await agrees(compacted);
    // Only the listed files are left (the replaced ones are gone once the new list is in place).
    expect(readdirSync(dir).sort()).toEqual(['_files.json', compacted.files[0].name].sort());
  });

  test('each committed file carries its size and SHA-256 in the file list', async () => {
    const { lake, dir, replace } = setup();
    const bytes = parquetLike('a');
    const version = await replace(lake, bytes, parquetLike('q', 100));
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(version.files).toEqual([{ name: 'data.parquet', size: 200, sha256 }]);
    expect(version.quarantine).toMatchObject({ name: 'quarantine.parquet', size: 100 });
    expect(JSON.parse(readFileSync(join(dir, '_files.json'), 'utf8')).files).toEqual(version.files);
    // A write that leaves the quarantine alone keeps its record.
    const next = await replace(lake, parquetLike('b'));
    expect(next.quarantine).toEqual(version.quarantine);
    expect(await lake.verify(ref, 'deep')).toEqual([]);
    expect(await lake.readable(ref, next.files, session)).toEqual([join(dir, 'data.parquet')]);
  });

  test('a full rewrite after appends lists only its file, then removes the parts it replaced', async () => {
    const { lake, dir, replace } = setup();
    for (const fill of ['a', 'b']) {
      const file = join(dir, `.tmp-run-append-${fill}.parquet`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(file, parquetLike(fill));
      await lake.commit(ref, { runId: 'run', data: { kind: 'append', file }, base: await lake.head(ref) });
    }
    expect((await lake.head(ref))?.files).toHaveLength(2);
    const version = await replace(lake, parquetLike('c'));
    expect(version.files.map((f) => f.name)).toEqual(['data.parquet']);
    expect(readdirSync(dir).sort()).toEqual(['_files.json', 'data.parquet']);
    expect(await lake.verify(ref, 'deep')).toEqual([]);
  });

  test('a truncated file: a quick look sees it, and a read fails with SF_LAKE_CORRUPT naming the file and partition', async () => {
    const { lake, replace, data } = setup();
    const version = await replace(lake, parquetLike('a'));
    truncateSync(data, 120);
    expect(await lake.verify(ref, 'quick')).toEqual([
      { location: data, problem: 'is 120 bytes, 200 were written' },
    ]);
    const read = lake.readable(ref, version.files, session);
    await expect(read).rejects.toMatchObject({
      code: 'SF_LAKE_CORRUPT',
      message: expect.stringContaining(
        `lake file ${data} of orders[2024-01-15] is 120 bytes, 200 were written`,
      ),
      details: { assetKey: 'orders', partitionKey: '2024-01-15', location: data },
    });
  });

  test('a flipped byte keeps the size: only the checksum (deep look, every read) sees it', async () => {
    const { lake, replace, data } = setup();
    const version = await replace(lake, parquetLike('a'));
    flipByte(data, 50);
    expect(await lake.verify(ref, 'quick')).toEqual([]);
    expect((await lake.verify(ref, 'deep'))[0].problem).toMatch(
      /^has SHA-256 [0-9a-f]{12}…, [0-9a-f]{12}… was written$/,
    );
    await expect(lake.readable(ref, version.files, session)).rejects.toMatchObject({
      code: 'SF_LAKE_CORRUPT',
    });
  });

  test('a file deleted from the lake is missing', async () => {
    const { lake, replace, data, dir } = setup();
    await replace(lake, parquetLike('a'));
    renameSync(data, join(dir, 'moved-away'));
    expect(await lake.verify(ref, 'quick')).toEqual([{ location: data, problem: 'is missing' }]);
  });

  test('a reader that listed an older version is not told its file is corrupt after a newer commit', async () => {
    const { lake, replace } = setup();
    const old = await replace(lake, parquetLike('a', 200));
    await replace(lake, parquetLike('b', 300));
    await expect(lake.readable(ref, old.files, session)).resolves.toHaveLength(1);
  });

  test('partitions written before sizes were recorded are checked for Parquet magic bytes', async () => {
    const { lake, dir, data } = setup();
    mkdirSync(dir, { recursive: true });
    writeFileSync(data, parquetLike('a'));
    expect((await lake.head(ref))?.files).toEqual([{ name: 'data.parquet' }]);
    expect(await lake.verify(ref, 'deep')).toEqual([]);
    truncateSync(data, 150);
    expect(await lake.verify(ref, 'quick')).toEqual([
      { location: data, problem: 'is not a complete Parquet file (no magic bytes at its start or end)' },
    ]);
    // An old append-mode list names files only.
    writeFileSync(join(dir, 'part-1.parquet'), parquetLike('c'));
    writeFileSync(join(dir, '_files.json'), JSON.stringify({ files: ['part-1.parquet'] }));
    expect((await lake.head(ref))?.files).toEqual([{ name: 'part-1.parquet' }]);
    expect(await lake.verify(ref, 'quick')).toEqual([]);
  });

  test('a file list another writer replaced is read again at once, also when it has the same size', async () => {
    const { home, lake, replace } = setup();
    const other = createLocalLakeStorage({ type: 'local', path: join(home, 'lake') });
    await replace(lake, parquetLike('a'));
    const first = (await lake.head(ref))!.files[0];
    // NOTE: the same bytes' length, another checksum: the list's JSON keeps its size.
    await replace(other, parquetLike('b'));
    const second = (await lake.head(ref))!.files[0];
    expect(second.size).toBe(first.size);
    expect(second.sha256).not.toBe(first.sha256);
    expect(second.sha256).toBe(createHash('sha256').update(parquetLike('b')).digest('hex'));
    expect(await lake.readable(ref, [second], session)).toHaveLength(1);
  });

  test('a damaged file list is a problem; a full rewrite commits over it', async () => {
    const { lake, dir, replace } = setup();
    await replace(lake, parquetLike('a'));
    writeFileSync(join(dir, '_files.json'), '{"files": [');
    expect(await lake.verify(ref, 'quick')).toEqual([
      { location: join(dir, '_files.json'), problem: 'is damaged (not a readable file list)' },
    ]);
    await expect(lake.head(ref)).rejects.toMatchObject({ code: 'SF_IO', details: { damagedManifest: true } });
    const staged = join(dir, '.tmp-run-x.parquet');
    writeFileSync(staged, parquetLike('z'));
    await lake.commit(ref, { runId: 'run', data: { kind: 'replace', file: staged }, base: undefined });
    expect(await lake.verify(ref, 'deep')).toEqual([]);
  });
});

describe('the embedded PostgreSQL doctor check', () => {
  test('a killed server left its postmaster.pid: a problem, which --repair removes', async () => {
    const { home, cleanup } = tempHome('shopflow-doctor-pg-');
    cleanups.push(cleanup);
    const dataDir = join(home, 'postgres', 'data');
    mkdirSync(dataDir, { recursive: true });
    // The pid of a process that has exited.
    const dead = spawnSync(process.execPath, [
      '-e',
      'process.stdout.write(String(process.pid))',
    ]).stdout.toString();
    writeFileSync(join(dataDir, 'postmaster.pid'), `${dead}\n${dataDir}\n1700000000\n54321\n`);
    const context = (repair: boolean) =>
      ({ runtime: { config: testConfig(home) }, home, repair }) as unknown as DoctorContext;
    expect(await embeddedPostgresDoctorCheck.run(context(false))).toEqual([
      expect.objectContaining({
        status: 'problem',
        detail: `the server of pid ${dead} was killed and left its postmaster.pid`,
      }),
    ]);
    expect(await embeddedPostgresDoctorCheck.run(context(true))).toEqual([
      expect.objectContaining({ status: 'repaired' }),
    ]);
    expect(await embeddedPostgresDoctorCheck.run(context(false))).toEqual([
      expect.objectContaining({ status: 'ok', detail: 'stopped; the next command that needs it starts it' }),
    ]);
  });
});
