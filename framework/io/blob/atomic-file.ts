import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `file` all at once: `write` fills a temporary file (in `tempDir`, by default the target's
 * own folder so the rename stays on one filesystem), which is flushed to disk (unless `flush` is
 * false: bytes already on disk, such as a hard link of a stored file) and then renamed over
 * `file`. On any failure the temporary file is removed and `file` is untouched.
 *
 * @example
 * await writeFileAtomically('out/customers.csv', (tmp) => copyFile('in.csv', tmp));
 */
export async function writeFileAtomically(
  file: string,
  write: (temporaryFile: string) => Promise<void>,
  options: { tempDir?: string; flush?: boolean } = {},
): Promise<void> {
  const tempDir = options.tempDir ?? dirname(file);
  await mkdir(tempDir, { recursive: true });
  await mkdir(dirname(file), { recursive: true });
  const temporary = join(tempDir, `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await write(temporary);
    if (options.flush !== false) await syncFile(temporary);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Flushes a file's bytes to disk (so a rename after a crash never exposes an empty file). */
export async function syncFile(file: string): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * {@link writeFileAtomically} without leaving the calling thread: for small files, where each of
 * the five or six file-system calls costs less than a round trip through the thread pool.
 *
 * @example
 * writeFileAtomicallySync('out/_manifest.json', (tmp) => writeFileSync(tmp, text));
 */
export function writeFileAtomicallySync(
  file: string,
  write: (temporaryFile: string) => void,
  options: { tempDir?: string; flush?: boolean } = {},
): void {
  const tempDir = options.tempDir ?? dirname(file);
  mkdirSync(tempDir, { recursive: true });
  mkdirSync(dirname(file), { recursive: true });
  const temporary = join(tempDir, `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    write(temporary);
    if (options.flush !== false) syncFileSync(temporary);
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** {@link syncFile} without leaving the calling thread. */
export function syncFileSync(file: string): void {
  const handle = openSync(file, 'r+');
  try {
    fsyncSync(handle);
  } finally {
    closeSync(handle);
  }
}
