import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { ShopflowError } from '../../../errors/error-catalog.js';
import type {
  CommitRequest,
  LakeStaging,
  LakeStorage,
  PartitionRef,
  PartitionVersion,
  SweepOptions,
  SweepResult,
} from '../lake-storage.js';
import type { LocalLakeConfig } from './local-lake-config.js';

const DATA_FILE = 'data.parquet';
const FILES_MANIFEST = '_files.json';
const QUARANTINE_FILE = 'quarantine.parquet';
const TMP_MARK = '.tmp-';

/** The folder holding one partition of a lake table in a local lake. */
export function lakePartitionDir(lakeRoot: string, assetKey: string, partitionKey: string | null): string {
  return partitionKey === null
    ? join(lakeRoot, assetKey)
    : join(lakeRoot, assetKey, `partition=${partitionKey}`);
}

/**
 * The Parquet files that make up one stored partition of a local lake: the files listed in
 * `_files.json` (append mode) or `data.parquet` (overwrite mode).
 */
export function partitionFiles(dir: string): string[] {
  return currentFiles(dir).map((f) => join(dir, f));
}

function currentFiles(dir: string): string[] {
  const manifest = join(dir, FILES_MANIFEST);
  if (existsSync(manifest)) return (JSON.parse(readFileSync(manifest, 'utf8')) as { files: string[] }).files;
  return existsSync(join(dir, DATA_FILE)) ? [DATA_FILE] : [];
}

function writeManifest(dir: string, files: string[]): void {
  const tmp = join(dir, `${TMP_MARK}manifest-${randomBytes(4).toString('hex')}.json`);
  writeFileSync(tmp, JSON.stringify({ files }));
  renameSync(tmp, join(dir, FILES_MANIFEST));
}

function conflict(dir: string, what: string): ShopflowError {
  return new ShopflowError('SF_LAKE_CONFLICT', `${dir} changed while ${what}; nothing was committed`, {
    hint: 'another process wrote the partition without its lock; run the step again',
  });
}

/**
 * The lake in a local folder: `<lake>/<asset>/partition=<key>/data.parquet` (overwrite mode) or
 * `part-*.parquet` files listed in `_files.json` (append mode, compaction), with
 * `quarantine.parquet` beside them. Writes stage `.tmp-<run>-…` files in the partition's folder and
 * rename them into place (atomic on one filesystem); the file list is replaced by a rename too.
 *
 * @example
 * const lake = createLocalLakeStorage({ type: 'local', path: '/srv/lake' });
 */
export function createLocalLakeStorage(config: LocalLakeConfig & { path: string }): LakeStorage {
  const root = config.path;
  const graceMs = (config.orphanGraceMinutes ?? 60) * 60_000;
  const dirOf = (ref: PartitionRef) => lakePartitionDir(root, ref.assetKey, ref.partitionKey);
  const head = (ref: PartitionRef): PartitionVersion | undefined => {
    const dir = dirOf(ref);
    const files = currentFiles(dir);
    if (files.length === 0) return undefined;
    return {
      files: files.map((name) => ({ name })),
      quarantine: existsSync(join(dir, QUARANTINE_FILE)) ? { name: QUARANTINE_FILE } : null,
      token: null,
      commitId: null,
    };
  };

  return {
    kind: 'local',
    description: root,

    locate(ref, fileName) {
      return fileName ? join(dirOf(ref), fileName) : dirOf(ref);
    },

    async stage(ref, runId): Promise<LakeStaging> {
      const dir = dirOf(ref);
      mkdirSync(dir, { recursive: true });
      const base = join(dir, `${TMP_MARK}${runId}-${randomBytes(4).toString('hex')}`);
      const created: string[] = [];
      return {
        path(suffix) {
          const path = `${base}${created.length ? `-${created.length}` : ''}${suffix}`;
          created.push(path);
          return path;
        },
        async dispose() {
          for (const path of created) rmSync(path, { force: true });
        },
      };
    },

    async head(ref) {
      return head(ref);
    },

    async readable(ref, files) {
      return files.map((f) => join(dirOf(ref), f.name));
    },

    async commit(ref, request: CommitRequest): Promise<PartitionVersion> {
      const dir = dirOf(ref);
      const previous = currentFiles(dir);
      const change = request.data;
      if (change.kind === 'replace') {
        renameSync(change.file, join(dir, DATA_FILE));
        if (existsSync(join(dir, FILES_MANIFEST))) {
          rmSync(join(dir, FILES_MANIFEST), { force: true });
          for (const file of previous) if (file !== DATA_FILE) rmSync(join(dir, file), { force: true });
        }
      } else if (change.kind === 'append') {
        // NOTE: the new part becomes visible only when the file list that names it is swapped in.
        const expected = (request.base?.files ?? []).map((f) => f.name);
        if (expected.join('\n') !== previous.join('\n')) throw conflict(dir, 'a file was being appended');
        const name = `part-${Date.now()}-${randomBytes(3).toString('hex')}.parquet`;
        renameSync(change.file, join(dir, name));
        writeManifest(dir, [...previous, name]);
      } else {
        if (change.replaces.map((f) => f.name).join('\n') !== previous.join('\n')) {
          throw conflict(dir, 'it was being compacted');
        }
        const name = `part-${Date.now()}-compacted.parquet`;
        renameSync(change.file, join(dir, name));
        writeManifest(dir, [name]);
        for (const file of previous) if (file !== name) rmSync(join(dir, file), { force: true });
      }
      if (request.quarantine === null) rmSync(join(dir, QUARANTINE_FILE), { force: true });
      else if (request.quarantine !== undefined) renameSync(request.quarantine, join(dir, QUARANTINE_FILE));
      return head(ref)!;
    },

    async sweep(assetKey, options: SweepOptions = {}): Promise<SweepResult> {
      const top = join(root, assetKey);
      const result: SweepResult = { removed: [], bytes: 0 };
      if (!existsSync(top)) return result;
      const cutoff = Date.now() - (options.olderThanMs ?? graceMs);
      const remove = (path: string, size: number) => {
        if (!options.dryRun) rmSync(path, { force: true });
        result.removed.push(path);
        result.bytes += size;
      };
      const visit = (dir: string) => {
        const referenced = new Set([...currentFiles(dir), FILES_MANIFEST, QUARANTINE_FILE]);
        for (const entry of readdirSync(dir, { withFileTypes: true })) {
          const path = join(dir, entry.name);
          if (entry.isDirectory()) {
            visit(path);
            continue;
          }
          const stats = statSync(path, { throwIfNoEntry: false });
          if (!stats) continue;
          const name = basename(path);
          if (options.runIds) {
            // NOTE: a dead run's staged files can never be committed: they go at once.
            if (options.runIds.some((id) => name.startsWith(`${TMP_MARK}${id}-`))) remove(path, stats.size);
            continue;
          }
          if (stats.mtimeMs > cutoff) continue;
          if (name.startsWith(TMP_MARK) || (name.endsWith('.parquet') && !referenced.has(name))) {
            remove(path, stats.size);
          }
        }
      };
      visit(top);
      return result;
    },

    async close() {},
  };
}
