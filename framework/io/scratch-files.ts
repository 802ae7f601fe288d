import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let folder: string | undefined;
let counter = 0;
let removeAtExit = false;

// NOTE: one folder for the life of the process rather than a folder per step: creating and removing
// a folder costs the file system more than the few small files a step puts in it (an `rmdir` took
// about 1 ms on the main thread, several hundred times per run).
function scratchFolder(): string {
  // NOTE: a temporary-file cleaner may have removed the folder while the process ran (a daemon).
  if (folder === undefined || !existsSync(folder)) {
    folder = mkdtempSync(join(tmpdir(), 'shopflow-scratch-'));
    if (!removeAtExit) {
      removeAtExit = true;
      process.once('exit', removeScratchFolder);
    }
  }
  return folder;
}

/**
 * Removes this process's scratch folder now (it is made again on next use). Runs by itself when
 * the process exits; for hosts whose workers end without an `exit` event (a test runner's pool).
 */
export function removeScratchFolder(): void {
  if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
  folder = undefined;
}

/** Short-lived files of one step, removed together by {@link ScratchFiles.dispose}. */
export interface ScratchFiles {
  /** A path of its own for a file named `name` (nothing is created). */
  path(name: string): string;
  /** Removes every file whose path came from {@link path}, and files named after them (`<path>.more`). */
  dispose(): void;
}

/**
 * Paths for the short-lived files of one step — a CSV on its way to PostgreSQL, a landed file
 * being checked — in this process's scratch folder (created in the OS temporary folder on first
 * use, removed when the process exits). Names never collide between steps running at once.
 *
 * @example
 * const scratch = scratchFiles();
 * try {
 *   const csv = scratch.path('rows.csv');
 *   await duckdb.run(`COPY (${query}) TO '${csv}' (FORMAT csv)`);
 * } finally {
 *   scratch.dispose();
 * }
 */
export function scratchFiles(): ScratchFiles {
  const dir = scratchFolder();
  const prefix = `${process.pid}-${++counter}-`;
  let used = false;
  return {
    path(name) {
      used = true;
      return join(dir, `${prefix}${name}`);
    },
    dispose() {
      if (!used) return;
      used = false;
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        return;
      }
      for (const name of names) if (name.startsWith(prefix)) rmSync(join(dir, name), { force: true });
    },
  };
}
