import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ShopflowError } from '../../../framework/errors/error-catalog.js';

/**
 * Files written into a temporary folder beside the target folder, then renamed into the target one
 * by one. Until `commit`, the target folder is untouched; a discarded attempt leaves no trace.
 *
 * @example
 * const folder = await AtomicOutputFolder.create('data/raw');
 * await writeFile(folder.pathOf('a.csv'), '…');
 * await folder.commit(['a.csv']);
 */
export class AtomicOutputFolder {
  private constructor(
    readonly target: string,
    readonly staging: string,
  ) {}

  /** Creates the staging folder in the target's parent folder. */
  static async create(target: string): Promise<AtomicOutputFolder> {
    const absolute = resolve(target);
    const existing = await stat(absolute).catch(() => undefined);
    if (existing && !existing.isDirectory()) {
      throw new ShopflowError(
        'SF_BAD_USAGE',
        `option \`out\` is ${JSON.stringify(target)}, which is a file`,
        {
          hint: 'pass a folder path (it is created when missing)',
          details: { option: 'out' },
        },
      );
    }
    await mkdir(dirname(absolute), { recursive: true });
    const staging = await mkdtemp(join(dirname(absolute), `.${basename(absolute)}.tmp-`));
    return new AtomicOutputFolder(absolute, staging);
  }

  /** Where to write file `name` before the commit. */
  pathOf(name: string): string {
    return join(this.staging, name);
  }

  /** Moves the files into the target folder, in the given order, and removes the staging folder. */
  async commit(names: readonly string[]): Promise<void> {
    await mkdir(this.target, { recursive: true });
    for (const name of names) await rename(this.pathOf(name), join(this.target, name));
    await rm(this.staging, { recursive: true, force: true });
  }

  /** Removes the staging folder and everything in it. */
  async discard(): Promise<void> {
    await rm(this.staging, { recursive: true, force: true });
  }
}
