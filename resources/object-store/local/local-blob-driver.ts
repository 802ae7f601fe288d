import {
  copyFileSync,
  mkdirSync,
  readFileSync,
  renameSync,
  type Stats,
  statSync,
  writeFileSync,
} from 'node:fs';
import { copyFile, link, mkdir, open, readdir, readFile, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import {
  syncFileSync,
  writeFileAtomically,
  writeFileAtomicallySync,
} from '../../../framework/io/blob/atomic-file.js';
import type {
  BlobDownloadOptions,
  BlobDriver,
  BlobStat,
  BlobWriteResult,
} from '../../../framework/io/blob/blob-driver.js';
import { READ_WHOLE_BYTES, type StagedBody } from '../../../framework/io/blob/staged-body.js';
import { VERSIONS_ROOT } from '../object-key.js';
import { toLocalStoreError } from './local-error.js';

const MISSING = new Set(['ENOENT', 'ENOTDIR', 'EISDIR']);

function isMissing(error: unknown): boolean {
  return MISSING.has((error as NodeJS.ErrnoException)?.code ?? '');
}

function toBlobStat(stats: Stats): BlobStat {
  return { size: stats.size, lastModified: stats.mtime, fingerprint: `${stats.size}:${stats.mtimeMs}` };
}

/**
 * Blobs as files under one root folder. Every write lands in a temporary file inside
 * `_versions/.staging/` (same filesystem as the target), is flushed, then renamed into place, so a
 * reader never sees a partial file. Copies are hard links where the filesystem allows (files are
 * never changed in place, only replaced, so sharing an inode is safe).
 *
 * @example
 * const driver = new LocalBlobDriver('.shopflow/landing');
 * await driver.stat('raw/a.csv'); // { size, lastModified, fingerprint } or undefined
 */
export class LocalBlobDriver implements BlobDriver {
  readonly description: string;
  private readonly root: string;
  private readonly staging: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.staging = join(this.root, VERSIONS_ROOT, '.staging');
    this.description = `local:${this.root}`;
  }

  locate(path: string): string {
    return join(this.root, ...path.split('/'));
  }

  async stagingDir(): Promise<string> {
    return this.stagingDirSync();
  }

  private stagingDirSync(): string {
    try {
      mkdirSync(this.staging, { recursive: true });
    } catch (error) {
      throw toLocalStoreError(error, 'create', this.staging);
    }
    return this.staging;
  }

  // NOTE: the file-system calls of a write, a read or a stat of a small object are made without
  // leaving the thread: a put of a day's small extract made some 35 calls, each a round trip
  // through the thread pool that cost more than the call itself. Large bodies still use the pool.
  async write(path: string, body: StagedBody, _options: unknown): Promise<BlobWriteResult> {
    const target = this.locate(path);
    try {
      mkdirSync(dirname(target), { recursive: true });
      if (!(body.owned && body.file && this.moveInto(body.file, target))) {
        if (body.buffer || body.size <= READ_WHOLE_BYTES) {
          writeFileAtomicallySync(
            target,
            (tmp) => (body.buffer ? writeFileSync(tmp, body.buffer) : copyFileSync(body.file!, tmp)),
            { tempDir: this.stagingDirSync() },
          );
        } else {
          await writeFileAtomically(target, (tmp) => copyFile(body.file!, tmp), {
            tempDir: this.stagingDirSync(),
          });
        }
      }
      return { fingerprint: toBlobStat(statSync(target)).fingerprint };
    } catch (error) {
      throw toLocalStoreError(error, 'write', target);
    }
  }

  /** Renames a staged file into place; false when the rename would cross filesystems. */
  private moveInto(file: string, target: string): boolean {
    syncFileSync(file);
    try {
      renameSync(file, target);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EXDEV') return false;
      throw error;
    }
  }

  async read(path: string): Promise<Buffer | undefined> {
    const file = this.locate(path);
    try {
      const info = statSync(file);
      return info.isFile() && info.size <= READ_WHOLE_BYTES ? readFileSync(file) : await readFile(file);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw toLocalStoreError(error, 'read', file);
    }
  }

  async open(path: string): Promise<Readable | undefined> {
    const file = this.locate(path);
    try {
      const handle = await open(file, 'r');
      if (!(await handle.stat()).isFile()) {
        await handle.close();
        return undefined;
      }
      return handle.createReadStream();
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw toLocalStoreError(error, 'read', file);
    }
  }

  async download(path: string, file: string, options: BlobDownloadOptions = {}): Promise<boolean> {
    const source = this.locate(path);
    if (!(await this.stat(path))) return false;
    // NOTE: stored files are replaced, never changed in place, so a reader's hard link keeps the
    // bytes it was given (already on disk: nothing to flush); across filesystems, a copy.
    if (options.readOnly) {
      try {
        await writeFileAtomically(file, (tmp) => link(source, tmp), { flush: false });
        return true;
      } catch {
        // NOTE: across filesystems, or where links are refused, the reader gets a copy.
      }
    }
    try {
      await writeFileAtomically(file, (tmp) => copyFile(source, tmp));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !(await this.stat(path))) return false;
      throw toLocalStoreError(error, 'download to', file);
    }
  }

  async stat(path: string): Promise<BlobStat | undefined> {
    const file = this.locate(path);
    try {
      const stats = statSync(file);
      return stats.isFile() ? toBlobStat(stats) : undefined;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw toLocalStoreError(error, 'inspect', file);
    }
  }

  async copy(from: string, to: string): Promise<void> {
    const source = this.locate(from);
    const target = this.locate(to);
    try {
      await mkdir(dirname(target), { recursive: true });
      await writeFileAtomically(
        target,
        async (tmp) => {
          await link(source, tmp).catch(() => copyFile(source, tmp));
        },
        { tempDir: await this.stagingDir() },
      );
    } catch (error) {
      throw toLocalStoreError(error, 'copy', `${source} to ${target}`);
    }
  }

  async remove(path: string): Promise<void> {
    const file = this.locate(path);
    try {
      await unlink(file);
    } catch (error) {
      if (isMissing(error)) return;
      // NOTE: some systems answer EPERM for unlink of a folder; a folder is not an object.
      if ((error as NodeJS.ErrnoException).code === 'EPERM' && (await stat(file)).isDirectory()) return;
      throw toLocalStoreError(error, 'remove', file);
    }
    await this.pruneEmptyFolders(dirname(file));
  }

  /** Removes folders left empty by a removal, up to (not including) the root. */
  private async pruneEmptyFolders(folder: string): Promise<void> {
    let current = folder;
    while (current.startsWith(this.root + sep) && current !== this.staging) {
      try {
        await rmdir(current);
      } catch {
        return;
      }
      current = dirname(current);
    }
  }

  async *list(prefix: string): AsyncIterable<BlobStat & { path: string }> {
    const base = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    const paths: string[] = [];
    await this.walk(base, prefix, paths);
    paths.sort();
    for (const path of paths) {
      const info = await this.stat(path);
      if (info) yield { path, ...info };
    }
  }

  private async walk(folder: string, prefix: string, into: string[]): Promise<void> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(this.locate(folder.replace(/\/$/, '')), { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return;
      throw toLocalStoreError(error, 'list', this.locate(folder));
    }
    for (const entry of entries) {
      const path = `${folder}${entry.name}`;
      if (entry.isDirectory()) {
        if (`${path}/`.startsWith(prefix) || prefix.startsWith(`${path}/`))
          await this.walk(`${path}/`, prefix, into);
      } else if (entry.isFile() && path.startsWith(prefix)) {
        into.push(path);
      }
    }
  }

  async close(): Promise<void> {}
}
