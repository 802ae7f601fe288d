import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PartitionVersion } from '../lake-storage.js';

interface Seen {
  version: PartitionVersion;
  dataVersion: string;
  /** When the version was known to be the committed one (ms). */
  at: number;
}

/** Versions remembered in memory; older ones go first. */
const IN_MEMORY = 20_000;

/**
 * The partition versions this machine saw committed recently (by committing or reading their
 * manifest), in memory and in a folder that the processes sharing a read cache share. A read that
 * knows the data version the instance store records may take a remembered version with that data
 * version instead of fetching the manifest again — while it is young enough that none of its
 * objects can have been removed (see `unreferencedObjects`).
 *
 * @example
 * const recent = new RecentPartitionVersions(join(cacheDir, 'manifests'));
 * recent.remember('s3://b/lake/orders/', version, 'a1b2…', Date.now());
 * recent.get('s3://b/lake/orders/', 'a1b2…', Date.now() - 30 * 60_000);
 */
export class RecentPartitionVersions {
  private readonly memory = new Map<string, Seen>();

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  private file(location: string): string {
    return join(this.dir, `${createHash('sha256').update(location).digest('hex').slice(0, 32)}.json`);
  }

  /** The version of `location` with `dataVersion` seen at or after `since`, if any. */
  get(location: string, dataVersion: string, since: number): PartitionVersion | undefined {
    let seen = this.memory.get(location);
    if (!seen || seen.dataVersion !== dataVersion) {
      try {
        seen = JSON.parse(readFileSync(this.file(location), 'utf8')) as Seen;
      } catch {
        return undefined;
      }
    }
    return seen.dataVersion === dataVersion && seen.at >= since ? seen.version : undefined;
  }

  /** Records that `version` (with `dataVersion`) was the committed version of `location` at `at`. */
  remember(location: string, version: PartitionVersion, dataVersion: string | undefined, at: number): void {
    this.memory.delete(location);
    const file = this.file(location);
    if (dataVersion === undefined) {
      rmSync(file, { force: true });
      return;
    }
    const seen: Seen = { version, dataVersion, at };
    this.memory.set(location, seen);
    if (this.memory.size > IN_MEMORY) this.memory.delete(this.memory.keys().next().value!);
    const tmp = `${file}.${process.pid}.${randomBytes(3).toString('hex')}`;
    writeFileSync(tmp, JSON.stringify(seen));
    renameSync(tmp, file);
  }
}
