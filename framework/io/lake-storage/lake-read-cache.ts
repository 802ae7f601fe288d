import { createHash, randomBytes } from 'node:crypto';
import {
  copyFileSync,
  createReadStream,
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
} from 'node:fs';
import { join } from 'node:path';
import { ShopflowError } from '../../errors/error-catalog.js';

/** What the cache holds, from {@link LakeReadCache.usage}. */
export interface CacheUsage {
  files: number;
  bytes: number;
  /** Files held by a live lease (never evicted while held). */
  leased: number;
}

/** Files one reader holds until it calls `release` (a DuckDB session, until it closes). */
export interface CacheLease {
  readonly dir: string;
  release(): void;
}

const SHA256 = /^[0-9a-f]{64}$/;

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * A bounded local cache of immutable lake files, addressed by the SHA-256 of their bytes:
 * `objects/<ab>/<sha256>` under `dir`. A reader takes a lease — a folder of hard links to the files
 * it reads — so eviction (by this or another process sharing the folder) never removes a file a
 * running query still needs: a file with a second link is leased and stays. When the cache grows
 * past `maxBytes`, the least recently used unleased files are removed until it fits; leases of
 * processes that died are removed first. Fetched bytes are checked against their hash.
 *
 * @example
 * const cache = new LakeReadCache({ dir: '.shopflow/cache/lake', maxBytes: 2 * 1024 ** 3 });
 * const lease = cache.lease();
 * const path = await cache.read(sha256, (file) => driver.download(key, file), lease);
 * // … query `path` … then
 * lease.release();
 */
export class LakeReadCache {
  private readonly objects: string;
  private readonly leases: string;
  private readonly incoming: string;
  private readonly fetching = new Map<string, Promise<void>>();
  private approxBytes: number | null = null;
  private staleLeasesRemoved = false;

  constructor(private readonly options: { dir: string; maxBytes: number }) {
    this.objects = join(options.dir, 'objects');
    this.leases = join(options.dir, 'leases');
    this.incoming = join(options.dir, 'incoming');
    for (const dir of [this.objects, this.leases, this.incoming]) mkdirSync(dir, { recursive: true });
  }

  get maxBytes(): number {
    return this.options.maxBytes;
  }

  private objectPath(sha256: string): string {
    return join(this.objects, sha256.slice(0, 2), sha256);
  }

  /** A new lease; its files stay readable until `release`. */
  lease(): CacheLease {
    if (!this.staleLeasesRemoved) {
      this.removeDeadLeases();
      this.staleLeasesRemoved = true;
    }
    const dir = join(this.leases, `${process.pid}-${randomBytes(6).toString('hex')}`);
    mkdirSync(dir, { recursive: true });
    let released = false;
    return {
      dir,
      release: () => {
        if (released) return;
        released = true;
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }

  /**
   * A path to the file with this SHA-256, held by `lease`. On a miss, `fetch(file)` writes the
   * bytes to `file`; they are verified and added to the cache, which is then trimmed to its limit.
   * With `size`, a cached file of another size (cut short on this machine's disk) is fetched again.
   */
  async read(
    sha256: string,
    fetch: (file: string) => Promise<void>,
    lease: CacheLease,
    size?: number,
  ): Promise<string> {
    if (!SHA256.test(sha256)) {
      throw new ShopflowError('SF_IO', `\`${sha256}\` is not a SHA-256 digest`, {
        hint: 'the partition manifest is damaged; re-materialize the partition',
      });
    }
    const leased = join(lease.dir, `${sha256}.parquet`);
    if (existsSync(leased)) return leased;
    for (let attempt = 1; ; attempt++) {
      const object = this.objectPath(sha256);
      // NOTE: a stat, not a hash: a file damaged in place at its own size is beyond this check
      // (the cache is this machine's disk; the lake's objects are verified when downloaded).
      const cached = statSync(object, { throwIfNoEntry: false });
      if (cached && size !== undefined && cached.size !== size) rmSync(object, { force: true });
      if (!cached || (size !== undefined && cached.size !== size)) await this.fetchOnce(sha256, fetch);
      try {
        linkSync(object, leased);
        const now = new Date();
        utimesSync(object, now, now);
        break;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') break;
        // NOTE: another process evicted the file between the check and the link: fetch it again.
        if (code !== 'ENOENT' || attempt >= 3) throw error;
      }
    }
    this.trim();
    return leased;
  }

  private fetchOnce(sha256: string, fetch: (file: string) => Promise<void>): Promise<void> {
    let pending = this.fetching.get(sha256);
    if (!pending) {
      pending = this.fetchInto(sha256, fetch).finally(() => this.fetching.delete(sha256));
      this.fetching.set(sha256, pending);
    }
    return pending;
  }

  private async fetchInto(sha256: string, fetch: (file: string) => Promise<void>): Promise<void> {
    const tmp = join(this.incoming, `${sha256}.${process.pid}.${randomBytes(4).toString('hex')}`);
    try {
      await fetch(tmp);
      const actual = await sha256Of(tmp);
      if (actual !== sha256) {
        throw new ShopflowError(
          'SF_IO',
          `a lake file fetched for the cache has SHA-256 ${actual.slice(0, 12)}…, not the ${sha256.slice(0, 12)}… its manifest records`,
          {
            hint: 'the object was changed outside ShopFlow; re-materialize the partition',
            details: { checksumMismatch: true, actual, expected: sha256 },
          },
        );
      }
      this.place(sha256, tmp);
    } finally {
      rmSync(tmp, { force: true });
    }
  }

  private place(sha256: string, file: string): void {
    const object = this.objectPath(sha256);
    mkdirSync(join(this.objects, sha256.slice(0, 2)), { recursive: true });
    const size = statSync(file).size;
    renameSync(file, object);
    if (this.approxBytes !== null) this.approxBytes += size;
  }

  /**
   * Adds a local file whose SHA-256 is known (a write's own output, so its readers need not fetch
   * it). The file is moved when it can be, copied otherwise.
   */
  add(sha256: string, file: string): void {
    if (!SHA256.test(sha256) || existsSync(this.objectPath(sha256))) return;
    const tmp = join(this.incoming, `${sha256}.${process.pid}.${randomBytes(4).toString('hex')}`);
    try {
      try {
        renameSync(file, tmp);
      } catch {
        copyFileSync(file, tmp);
      }
      this.place(sha256, tmp);
    } finally {
      rmSync(tmp, { force: true });
    }
    this.trim();
  }

  /** Files, bytes and leased files now in the cache. */
  usage(): CacheUsage {
    const entries = this.entries();
    return {
      files: entries.length,
      bytes: entries.reduce((sum, e) => sum + e.size, 0),
      leased: entries.filter((e) => e.leased).length,
    };
  }

  /** Whether the file with this SHA-256 is cached. */
  has(sha256: string): boolean {
    return existsSync(this.objectPath(sha256));
  }

  private entries(): Array<{ path: string; size: number; used: number; leased: boolean }> {
    const out: Array<{ path: string; size: number; used: number; leased: boolean }> = [];
    for (const shard of readdirSync(this.objects)) {
      const dir = join(this.objects, shard);
      for (const name of readdirSync(dir)) {
        const stats = statSync(join(dir, name), { throwIfNoEntry: false });
        if (stats) {
          out.push({ path: join(dir, name), size: stats.size, used: stats.mtimeMs, leased: stats.nlink > 1 });
        }
      }
    }
    return out;
  }

  /** Removes least recently used unleased files until the cache fits its limit. */
  trim(): void {
    if (this.approxBytes !== null && this.approxBytes <= this.options.maxBytes) return;
    const entries = this.entries();
    let total = entries.reduce((sum, e) => sum + e.size, 0);
    if (total > this.options.maxBytes) {
      this.removeDeadLeases();
      for (const entry of entries.sort((a, b) => a.used - b.used)) {
        if (total <= this.options.maxBytes) break;
        // NOTE: re-read the link count: a lease may have been taken since the listing.
        const now = statSync(entry.path, { throwIfNoEntry: false });
        if (!now || now.nlink > 1) continue;
        rmSync(entry.path, { force: true });
        total -= entry.size;
      }
    }
    this.approxBytes = total;
  }

  private removeDeadLeases(): void {
    for (const name of readdirSync(this.leases)) {
      const pid = Number(name.split('-')[0]);
      if (Number.isInteger(pid) && pid !== process.pid && !processIsAlive(pid)) {
        rmSync(join(this.leases, name), { recursive: true, force: true });
      }
    }
  }
}
