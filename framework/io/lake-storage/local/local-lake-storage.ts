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
import { basename, dirname, join } from 'node:path';
import { isShopflowError, ShopflowError } from '../../../errors/error-catalog.js';
import { hashFile } from '../../blob/staged-body.js';
import {
  fileIdentity,
  type LakeFileProblem,
  LIST_MISSING,
  lakeCorruptError,
  VerifiedFiles,
  verifyLocalLakeFile,
} from '../lake-file-integrity.js';
import type {
  CommitRequest,
  LakeFile,
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
 * `_files.json`, or `data.parquet` in a partition written before the list was kept for every write.
 */
export function partitionFiles(dir: string): string[] {
  return currentFiles(dir).map((f) => join(dir, f.name));
}

/**
 * `_files.json`: the data files of the partition's version with the size and SHA-256 each had when
 * it was committed, and the quarantine file likewise. Older lists name the files only.
 */
interface FilesManifest {
  files: LakeFile[];
  /** Absent in older lists (then `quarantine.parquet` counts when it exists). */
  quarantine?: LakeFile | null;
}

/**
 * File lists this process has read, by path, with the identity (size, times, inode) the file had:
 * a step reading many partitions (a cumulative window) and the checks after it look up the same
 * lists again and again, and a stat is much cheaper than reading and parsing. A list is replaced
 * by a rename, which gives it a new inode and times, so a changed list is always read again.
 */
const manifestCache = new Map<string, { identity: string; manifest: FilesManifest }>();
const MANIFEST_CACHE_SIZE = 20_000;

function readFilesManifest(dir: string): FilesManifest | undefined {
  const path = join(dir, FILES_MANIFEST);
  const identity = fileIdentity(path);
  if (identity === undefined) {
    manifestCache.delete(path);
    return undefined;
  }
  const cached = manifestCache.get(path);
  if (cached?.identity === identity) return cached.manifest;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const manifest = parseFilesManifest(path, text);
  // NOTE: the identity is taken again after reading, so a list replaced in between is not kept
  // under the old one's identity.
  if (fileIdentity(path) === identity) cacheManifest(path, identity, manifest);
  return manifest;
}

function cacheManifest(path: string, identity: string, manifest: FilesManifest): void {
  if (manifestCache.size >= MANIFEST_CACHE_SIZE) manifestCache.clear();
  manifestCache.set(path, { identity, manifest });
}

function parseFilesManifest(path: string, text: string): FilesManifest {
  try {
    const parsed = JSON.parse(text) as { files: Array<string | LakeFile>; quarantine?: LakeFile | null };
    if (!Array.isArray(parsed.files)) throw new Error('no `files` list');
    return {
      files: parsed.files.map((f) => (typeof f === 'string' ? { name: f } : f)),
      ...(parsed.quarantine === undefined ? {} : { quarantine: parsed.quarantine }),
    };
  } catch (error) {
    // NOTE: like a damaged S3 manifest, a write that replaces the whole partition may commit over it.
    throw new ShopflowError('SF_IO', `the file list ${path} is damaged: ${(error as Error).message}`, {
      hint: 'materialize the partition again (a full rewrite replaces the list)',
      details: { damagedManifest: true, token: null },
    });
  }
}

function currentFiles(dir: string): LakeFile[] {
  const manifest = readFilesManifest(dir);
  if (manifest) return manifest.files;
  return existsSync(join(dir, DATA_FILE)) ? [{ name: DATA_FILE }] : [];
}

/**
 * For a sweep: the listed files; null when the list is damaged or missing, and a sweep then keeps
 * every Parquet file. A folder without a list holds either the leftovers of a first write that
 * never committed or a committed version whose list was lost; only the instance store can tell
 * them apart, and removing the data of the second is not undoable (`shopflow doctor` reports it).
 */
function listedNames(dir: string): string[] | null {
  try {
    const manifest = readFilesManifest(dir);
    if (manifest) return manifest.files.map((f) => f.name);
    return existsSync(join(dir, DATA_FILE)) ? [DATA_FILE] : null;
  } catch {
    return null;
  }
}

/** The list a commit starts from; a full rewrite starts over a damaged one. */
function readFilesManifestForWrite(dir: string, replacing: boolean): FilesManifest | undefined {
  try {
    return readFilesManifest(dir);
  } catch (error) {
    if (replacing) return undefined;
    throw error;
  }
}

function currentQuarantine(dir: string, manifest: FilesManifest | undefined): LakeFile | null {
  if (manifest?.quarantine !== undefined) return manifest.quarantine;
  return existsSync(join(dir, QUARANTINE_FILE)) ? { name: QUARANTINE_FILE } : null;
}

/** Writes `manifest` to a temporary file beside the list and returns its path, for the commit to rename into place. */
function stageManifest(dir: string, manifest: FilesManifest): string {
  const tmp = join(dir, `${TMP_MARK}manifest-${randomBytes(4).toString('hex')}.json`);
  writeFileSync(tmp, JSON.stringify(manifest));
  return tmp;
}

/**
 * Remembers the list a commit just renamed into place (from `staged`, whose inode it keeps), so
 * the step's checks and the steps downstream need not read it back; nothing is remembered when
 * the file there now is not the one renamed (another writer replaced it meanwhile).
 */
function rememberManifest(dir: string, staged: bigint, manifest: FilesManifest): void {
  const path = join(dir, FILES_MANIFEST);
  const identity = fileIdentity(path);
  if (identity?.endsWith(`:${staged}`)) cacheManifest(path, identity, manifest);
}

/** The entry a staged file will have once moved to `name`: its size and SHA-256 now. */
async function describeStaged(file: string, name: string): Promise<LakeFile> {
  return { name, ...(await hashFile(file)) };
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
  const verified = new VerifiedFiles();
  const head = (ref: PartitionRef): PartitionVersion | undefined => {
    const dir = dirOf(ref);
    const manifest = readFilesManifest(dir);
    const files = manifest?.files ?? (existsSync(join(dir, DATA_FILE)) ? [{ name: DATA_FILE }] : []);
    if (files.length === 0) return undefined;
    return { files, quarantine: currentQuarantine(dir, manifest), token: null, commitId: null };
  };
  const problemOf = async (ref: PartitionRef, file: LakeFile): Promise<LakeFileProblem | null> =>
    file.sha256
      ? await verified.verify(join(dirOf(ref), file.name), file)
      : await verifyLocalLakeFile(join(dirOf(ref), file.name), file, 'quick');

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

    async head(ref, options = {}) {
      const version = head(ref);
      if (!version && options.dataVersion !== undefined) {
        throw lakeCorruptError(ref, { location: join(dirOf(ref), FILES_MANIFEST), problem: LIST_MISSING });
      }
      return version;
    },

    async readable(ref, files) {
      const paths: string[] = [];
      for (const file of files) {
        let problem = await problemOf(ref, file);
        if (problem) {
          // NOTE: a writer may have committed a new version since the caller read the list; the
          // file is damaged only when it does not match the list as it is now either.
          const now = head(ref);
          const current =
            now?.files.find((f) => f.name === file.name) ??
            (now?.quarantine?.name === file.name ? now.quarantine : undefined);
          if (current && (current.size !== file.size || current.sha256 !== file.sha256)) {
            problem = await problemOf(ref, current);
          }
        }
        if (problem) throw lakeCorruptError(ref, problem);
        paths.push(join(dirOf(ref), file.name));
      }
      return paths;
    },

    async verify(ref, depth) {
      let version: PartitionVersion | undefined;
      try {
        version = head(ref);
      } catch (error) {
        if (!isShopflowError(error, 'SF_IO')) throw error;
        return [
          { location: join(dirOf(ref), FILES_MANIFEST), problem: 'is damaged (not a readable file list)' },
        ];
      }
      if (!version) return [{ location: join(dirOf(ref), FILES_MANIFEST), problem: LIST_MISSING }];
      const problems: LakeFileProblem[] = [];
      for (const file of [...version.files, ...(version.quarantine ? [version.quarantine] : [])]) {
        const path = join(dirOf(ref), file.name);
        const problem =
          depth === 'deep' && file.sha256
            ? await verified.verify(path, file)
            : await verifyLocalLakeFile(path, file, depth);
        if (problem) problems.push(problem);
      }
      return problems;
    },

    async commit(ref, request: CommitRequest): Promise<PartitionVersion> {
      const dir = dirOf(ref);
      const manifest = readFilesManifestForWrite(dir, request.data.kind === 'replace');
      const previous = manifest?.files ?? (existsSync(join(dir, DATA_FILE)) ? [{ name: DATA_FILE }] : []);
      const previousNames = previous.map((f) => f.name);
      const change = request.data;
      let name: string = DATA_FILE;
      if (change.kind === 'append') {
        // NOTE: the new part becomes visible only when the file list that names it is swapped in.
        const expected = (request.base?.files ?? []).map((f) => f.name);
        if (expected.join('\n') !== previousNames.join('\n'))
          throw conflict(dir, 'a file was being appended');
        name = `part-${Date.now()}-${randomBytes(3).toString('hex')}.parquet`;
      } else if (change.kind === 'compact') {
        if (change.replaces.map((f) => f.name).join('\n') !== previousNames.join('\n')) {
          throw conflict(dir, 'it was being compacted');
        }
        name = `part-${Date.now()}-compacted.parquet`;
      }
      const added = await describeStaged(change.file, name);
      const files = change.kind === 'append' ? [...previous, added] : [added];
      let quarantine = currentQuarantine(dir, manifest);
      if (request.quarantine === null) quarantine = null;
      else if (request.quarantine !== undefined)
        quarantine = await describeStaged(request.quarantine, QUARANTINE_FILE);
      const listed: FilesManifest = { files, quarantine };
      const list = stageManifest(dir, listed);
      const listInode = statSync(list, { bigint: true }).ino;
      // NOTE: from here on nothing awaits: the files and the list that describes them are swapped
      // in together, so no reader or writer of this process sees one without the other.
      try {
        renameSync(change.file, join(dir, name));
        if (request.quarantine === null) rmSync(join(dir, QUARANTINE_FILE), { force: true });
        else if (request.quarantine !== undefined) renameSync(request.quarantine, join(dir, QUARANTINE_FILE));
        renameSync(list, join(dir, FILES_MANIFEST));
      } catch (error) {
        rmSync(list, { force: true });
        throw error;
      }
      rememberManifest(dir, listInode, listed);
      // NOTE: files the new list no longer names go once it is in place (replace and compact).
      if (change.kind !== 'append') {
        for (const file of previousNames) if (file !== name) rmSync(join(dir, file), { force: true });
      }
      // NOTE: the version just written, as `head` would read it back from the list.
      return { files, quarantine, token: null, commitId: null };
    },

    async writeText(path, text) {
      const target = join(root, path);
      mkdirSync(dirname(target), { recursive: true });
      const tmp = `${target}${TMP_MARK}${randomBytes(4).toString('hex')}`;
      writeFileSync(tmp, text);
      renameSync(tmp, target);
      return target;
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
        const listed = listedNames(dir);
        const referenced = new Set([...(listed ?? []), FILES_MANIFEST, QUARANTINE_FILE]);
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
          if (
            name.startsWith(TMP_MARK) ||
            (listed !== null && name.endsWith('.parquet') && !referenced.has(name))
          ) {
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
