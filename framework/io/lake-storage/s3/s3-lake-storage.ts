import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { DuckDbSession } from '../../../duckdb/duckdb-session.js';
import { isShopflowError, ShopflowError } from '../../../errors/error-catalog.js';
import { DEFAULT_RETRY_POLICY } from '../../blob/retry-policy.js';
import { S3BlobDriver } from '../../blob/s3/s3-blob-driver.js';
import { createS3Client } from '../../blob/s3/s3-client.js';
import { hashFile } from '../../blob/staged-body.js';
import { mapLimited } from '../../map-limited.js';
import {
  type LakeFileProblem,
  LIST_MISSING,
  lakeCorruptError,
  type VerifyDepth,
} from '../lake-file-integrity.js';
import { type CacheLease, LakeReadCache } from '../lake-read-cache.js';
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
import { symlinkManifestPath } from '../symlink-manifest.js';
import { RecentPartitionVersions } from './recent-partition-versions.js';
import { type S3LakeConfig, S3LakeConfigSchema } from './s3-lake-config.js';
import {
  MANIFEST_NAME,
  type PartitionManifest,
  parseManifest,
  serializeManifest,
  unreferencedObjects,
} from './s3-partition-manifest.js';
import {
  chooseReadPath,
  hasDirectReadSecret,
  installDirectReadSecret,
  type LakeReadPath,
  loadHttpfs,
} from './s3-read-path.js';

const MiB = 1024 * 1024;
const PARQUET = 'application/vnd.apache.parquet';
/** Downloads (or uploads) of one step in flight at once. */
const TRANSFERS = 8;
/** Reads of a manifest that does not parse before it counts as damaged. */
const MANIFEST_READS = 5;
/** Refresh the direct-read secret this long before the credentials expire. */
const CREDENTIALS_MARGIN_MS = 5 * 60_000;

/** `prefix` as a folder: '' or ending with one `/`. */
export function normalizeLakePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+/, '').replace(/\/+$/, '');
  return trimmed === '' ? '' : `${trimmed}/`;
}

/** The folder of a partition relative to the lake prefix (same layout as the local lake). */
function partitionFolder(ref: PartitionRef): string {
  return ref.partitionKey === null ? `${ref.assetKey}/` : `${ref.assetKey}/partition=${ref.partitionKey}/`;
}

function safeName(runId: string): string {
  return runId.replace(/[^A-Za-z0-9._-]/g, '_');
}

function versionOf(manifest: PartitionManifest, token: string | null): PartitionVersion {
  return {
    files: manifest.files,
    quarantine: manifest.quarantine,
    token,
    commitId: manifest.commitId,
    committedAt: manifest.committedAt,
    retired: manifest.retired,
  };
}

/**
 * The lake in an S3 bucket, same partition layout as the local lake under `prefix`.
 *
 * A commit uploads the new Parquet files under names no other write uses, then publishes them by
 * writing the partition's `_manifest.json` in one PUT (atomic on S3), conditional on the manifest
 * the write started from (`If-Match`/`If-None-Match`). Readers read the manifest first and then
 * exactly the objects it lists, which are never overwritten; a write that dies before its manifest
 * leaves the previous version in place and its objects unreferenced. Unreferenced objects are
 * removed — by a later commit of the partition or by `sweep` — only once `orphanGraceMinutes` have
 * passed since they were replaced (each manifest lists the files it retired and when) or, for
 * uploads no version listed, since they were written; so a reader still fetching a replaced
 * version is never cut short.
 *
 * Reads go through a bounded local cache addressed by the files' SHA-256 (recorded in the
 * manifest), fetched with the AWS SDK; where DuckDB's httpfs extension is installed they may read
 * `s3://` directly instead (`read: auto | cache | direct`).
 *
 * @example
 * const lake = createS3LakeStorage({ type: 's3', bucket: 'shopflow-lake', prefix: 'lake/', … }, { home });
 */
export class S3LakeStorage implements LakeStorage {
  readonly kind = 's3' as const;
  readonly description: string;
  readonly cache: LakeReadCache;
  private readonly driver: S3BlobDriver;
  private readonly prefix: string;
  private readonly stagingRoot: string;
  private readonly graceMs: number;
  private readonly leases = new WeakMap<DuckDbSession, CacheLease>();
  private readPath?: Promise<LakeReadPath>;
  private credentialsExpireAt: number | null = null;
  private stagingSwept = false;
  private readonly recent: RecentPartitionVersions;
  private readonly client: ReturnType<typeof createS3Client>;

  constructor(
    private readonly config: S3LakeConfig,
    private readonly options: {
      home: string;
      log?: Logger;
      now?: () => number;
      fromEnvironment?: Readonly<Record<string, readonly string[]>>;
    },
  ) {
    this.prefix = normalizeLakePrefix(config.prefix);
    this.description = `s3://${config.bucket}/${this.prefix}`;
    this.client = createS3Client({
      region: config.region,
      endpoint: config.endpoint,
      forcePathStyle: config.forcePathStyle,
      requestTimeoutMs: config.requestTimeoutMs,
    });
    this.driver = new S3BlobDriver({
      client: this.client,
      bucket: config.bucket,
      prefix: this.prefix,
      endpoint: config.endpoint,
      multipartThresholdBytes: config.multipartThresholdBytes ?? 16 * MiB,
      partSizeBytes: config.partSizeBytes ?? 8 * MiB,
      queueSize: 4,
      listPageSize: 1000,
      retry: { ...DEFAULT_RETRY_POLICY, ...(config.retry ?? {}) },
      // NOTE: credentials come from the SDK's chain; the environment's secret values are scrubbed
      // from any error text all the same.
      secrets: [process.env.AWS_SECRET_ACCESS_KEY, process.env.AWS_SESSION_TOKEN].filter(
        (s): s is string => !!s,
      ),
      configSection: lakeSection(options.fromEnvironment),
    });
    this.stagingRoot = join(options.home, 'tmp', 'lake-staging');
    const cacheDir = config.cacheDir ?? join(options.home, 'cache', 'lake');
    this.cache = new LakeReadCache({ dir: cacheDir, maxBytes: Math.floor(config.cacheSizeMb * MiB) });
    this.recent = new RecentPartitionVersions(join(cacheDir, 'manifests'));
    this.graceMs = config.orphanGraceMinutes * 60_000;
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  locate(ref: PartitionRef, fileName?: string): string {
    return `${this.description}${partitionFolder(ref)}${fileName ?? ''}`;
  }

  async stage(_ref: PartitionRef, runId: string): Promise<LakeStaging> {
    if (!this.stagingSwept) {
      this.stagingSwept = true;
      removeStagingOfDeadProcesses(this.stagingRoot);
    }
    const dir = join(this.stagingRoot, `${process.pid}-${safeName(runId)}-${randomBytes(6).toString('hex')}`);
    mkdirSync(dir, { recursive: true });
    let n = 0;
    return {
      path: (suffix) => join(dir, `staged-${n++}${suffix}`),
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }

  async head(
    ref: PartitionRef,
    options: { dataVersion?: string } = {},
  ): Promise<PartitionVersion | undefined> {
    const folder = partitionFolder(ref);
    if (options.dataVersion !== undefined && this.graceMs > 0) {
      // NOTE: a version seen less than half the grace period ago still has every object it lists
      // (nothing is removed before it has been replaced for the whole grace period), and the same
      // data version means the same rows: reading it is reading what the instance store records.
      const seen = this.recent.get(this.locate(ref), options.dataVersion, this.now() - this.graceMs / 2);
      if (seen) return seen;
    }
    const found = await this.readManifest(`${folder}${MANIFEST_NAME}`);
    if (!found) {
      if (options.dataVersion === undefined) return undefined;
      throw lakeCorruptError(ref, { location: this.locate(ref, MANIFEST_NAME), problem: LIST_MISSING });
    }
    const version = versionOf(found.manifest, found.etag ?? null);
    this.recent.remember(this.locate(ref), version, found.manifest.dataVersion, this.now());
    return version;
  }

  /**
   * Reads and parses a manifest. S3 never shows a PUT before it completes, but some S3-compatible
   * servers do (s3rver writes objects in place): a manifest that does not parse is read again a few
   * times before it counts as damaged.
   */
  private async readManifest(
    key: string,
  ): Promise<{ manifest: PartitionManifest; etag?: string } | undefined> {
    for (let attempt = 1; ; attempt++) {
      const found = await this.driver.readTagged(key);
      if (!found) return undefined;
      try {
        return { manifest: parseManifest(found.body, this.driver.locate(key)), etag: found.etag };
      } catch (error) {
        if (attempt >= MANIFEST_READS) {
          // NOTE: the ETag lets a write that replaces the whole partition commit over the damage.
          Object.assign((error as ShopflowError).details ?? {}, { damagedManifest: true, token: found.etag });
          throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
      }
    }
  }

  /** The read path this process uses (resolved on the first read). */
  async readPathFor(session: DuckDbSession): Promise<LakeReadPath> {
    this.readPath ??= (async () => {
      const path = chooseReadPath(this.config.read, await loadHttpfs(session));
      this.options.log?.info(
        { lake: this.description, read: path },
        path === 'direct'
          ? 'lake reads: s3:// directly (DuckDB httpfs)'
          : 'lake reads: through the local read cache (DuckDB httpfs not installed or not chosen)',
      );
      return path;
    })();
    return await this.readPath;
  }

  async readable(ref: PartitionRef, files: LakeFile[], session: DuckDbSession): Promise<string[]> {
    if (files.length === 0) return [];
    if ((await this.readPathFor(session)) === 'direct') {
      await this.ensureDirectReadSecret(session);
      return files.map((f) => `s3://${this.config.bucket}/${this.prefix}${partitionFolder(ref)}${f.name}`);
    }
    let lease = this.leases.get(session);
    if (!lease) {
      const created = this.cache.lease();
      session.onClose(() => created.release());
      this.leases.set(session, created);
      lease = created;
    }
    const held = lease;
    return await mapLimited(files, TRANSFERS, async (file) => {
      if (!file.sha256) {
        throw new ShopflowError('SF_IO', `${this.locate(ref, file.name)} has no recorded SHA-256`, {
          hint: 're-materialize the partition',
        });
      }
      try {
        return await this.cache.read(
          file.sha256,
          (target) => this.download(ref, file.name, target),
          held,
          file.size,
        );
      } catch (error) {
        // NOTE: the cache checks every download against the SHA-256 the manifest records.
        if (isShopflowError(error, 'SF_IO') && error.details?.checksumMismatch === true) {
          const actual = String(error.details.actual);
          throw lakeCorruptError(ref, {
            location: this.locate(ref, file.name),
            problem: `has SHA-256 ${actual.slice(0, 12)}…, ${file.sha256.slice(0, 12)}… was written`,
          });
        }
        throw error;
      }
    });
  }

  async verify(ref: PartitionRef, depth: VerifyDepth): Promise<LakeFileProblem[]> {
    // NOTE: a quick look costs requests per partition on S3, more than a plan can afford; reads
    // verify every download's SHA-256, and `shopflow doctor` asks for every object's size and
    // SHA-256 metadata.
    if (depth === 'quick') return [];
    let version: PartitionVersion | undefined;
    try {
      version = await this.head(ref);
    } catch (error) {
      if (!isShopflowError(error, 'SF_IO') || error.details?.damagedManifest !== true) throw error;
      return [{ location: this.locate(ref, MANIFEST_NAME), problem: 'is damaged (not a readable manifest)' }];
    }
    if (!version) return [{ location: this.locate(ref, MANIFEST_NAME), problem: LIST_MISSING }];
    const files = [...version.files, ...(version.quarantine ? [version.quarantine] : [])];
    const found = await mapLimited(files, TRANSFERS, (file) => this.objectProblem(ref, file));
    return found.filter((p): p is LakeFileProblem => p !== null);
  }

  /** Whether the object of `file` is there as it was written (size and our SHA-256 metadata): one HEAD. */
  private async storedAsWritten(ref: PartitionRef, file: LakeFile): Promise<boolean> {
    return (await this.objectProblem(ref, file)) === null;
  }

  private async objectProblem(ref: PartitionRef, file: LakeFile): Promise<LakeFileProblem | null> {
    const location = this.locate(ref, file.name);
    const stat = await this.driver.stat(`${partitionFolder(ref)}${file.name}`);
    if (!stat) return { location, problem: 'is missing' };
    if (file.size !== undefined && stat.size !== file.size) {
      return {
        location,
        problem: `is ${stat.size.toLocaleString('en-US')} bytes, ${file.size.toLocaleString('en-US')} were written`,
      };
    }
    // NOTE: every upload stores its SHA-256 as object metadata; an object replaced by another tool
    // carries none (or another).
    if (file.sha256 && stat.metadata?.sha256 !== file.sha256) {
      return {
        location,
        problem: 'was replaced outside ShopFlow (its SHA-256 metadata is not the one written)',
      };
    }
    return null;
  }

  private async download(ref: PartitionRef, name: string, target: string): Promise<void> {
    if (!(await this.driver.download(`${partitionFolder(ref)}${name}`, target))) {
      throw lakeCorruptError(ref, {
        location: this.locate(ref, name),
        problem:
          "is listed in the partition's manifest but does not exist (deleted outside ShopFlow, e.g. by a lifecycle rule on current objects?)",
      });
    }
  }

  private async ensureDirectReadSecret(session: DuckDbSession): Promise<void> {
    const fresh =
      this.credentialsExpireAt === null || this.credentialsExpireAt - this.now() > CREDENTIALS_MARGIN_MS;
    if (fresh && (await hasDirectReadSecret(session))) return;
    const credentials = await this.client.config.credentials();
    await installDirectReadSecret(session, {
      bucket: this.config.bucket,
      prefix: this.prefix,
      region: await this.client.config.region(),
      endpoint: this.config.endpoint,
      forcePathStyle: this.config.forcePathStyle,
      credentials,
    });
    this.credentialsExpireAt = credentials.expiration ? credentials.expiration.getTime() : null;
  }

  private async upload(ref: PartitionRef, staged: StagedFile): Promise<LakeFile> {
    await this.driver.write(
      `${partitionFolder(ref)}${staged.name}`,
      { sha256: staged.sha256, size: staged.size, file: staged.file, owned: false, dispose: async () => {} },
      { contentType: PARQUET, metadata: { sha256: staged.sha256 } },
    );
    return { name: staged.name, sha256: staged.sha256, size: staged.size };
  }

  async commit(ref: PartitionRef, request: CommitRequest): Promise<PartitionVersion> {
    const started = this.now();
    const commitId = `${safeName(request.runId)}-${randomBytes(4).toString('hex')}`;
    const base = request.base;
    const change = request.data;
    if (change.kind === 'compact') {
      const expected = change.replaces.map((f) => f.name).join('\n');
      if (!base || base.files.map((f) => f.name).join('\n') !== expected) {
        throw this.conflict(ref, 'its files changed while it was being compacted');
      }
    }
    const stem = change.kind === 'append' ? 'part' : change.kind === 'compact' ? 'compacted' : 'data';
    const data = await stagedFile(`${stem}-${commitId}.parquet`, change.file);
    const quarantine =
      typeof request.quarantine === 'string'
        ? await stagedFile(`quarantine-${commitId}.parquet`, request.quarantine)
        : undefined;
    const keptQuarantine =
      request.quarantine === undefined ? (base?.quarantine ?? null) : (quarantine ?? null);
    if (
      change.kind === 'replace' &&
      base?.files.length === 1 &&
      base.files[0].sha256 === data.sha256 &&
      (keptQuarantine?.sha256 ?? null) === (base.quarantine?.sha256 ?? null) &&
      (await this.storedAsWritten(ref, base.files[0]))
    ) {
      // NOTE: the same bytes again (a forced re-run): the committed version already is the new one.
      this.recent.remember(this.locate(ref), base, request.dataVersion, this.now());
      await this.writeSymlink(ref, base);
      return base;
    }
    const uploads = quarantine ? [data, quarantine] : [data];
    await mapLimited(uploads, 2, (staged) => this.upload(ref, staged));
    const manifest: Omit<PartitionManifest, 'format'> = {
      commitId,
      runId: request.runId,
      committedAt: new Date(this.now()).toISOString(),
      files: (change.kind === 'append' ? [...(base?.files ?? []), data] : [data]).map(asManifestFile),
      quarantine:
        request.quarantine === undefined
          ? base?.quarantine
            ? asManifestFile(base.quarantine)
            : null
          : quarantine
            ? asManifestFile(quarantine)
            : null,
      ...(request.dataVersion === undefined ? {} : { dataVersion: request.dataVersion }),
      ...(request.rowCount === undefined ? {} : { rowCount: request.rowCount }),
      retired: [],
    };
    manifest.retired = retiredAfter(
      base,
      manifest,
      new Date(this.now()).toISOString(),
      this.now() - this.graceMs,
    );
    if (this.graceMs > 0 && this.now() - started > this.graceMs / 2) {
      // NOTE: housekeeping removes unreferenced objects older than the grace period; a write this
      // slow could publish objects that are already being removed.
      throw new ShopflowError(
        'SF_IO',
        `uploading ${this.locate(ref)} took longer than half of \`lake.orphanGraceMinutes\` (${this.config.orphanGraceMinutes}); nothing was committed`,
        { hint: 'raise `lake.orphanGraceMinutes` above twice the longest upload' },
      );
    }
    const token = await this.publish(ref, manifest, base);
    const version = versionOf(
      { format: 'shopflow-lake-partition/1', ...manifest } as PartitionManifest,
      token,
    );
    this.recent.remember(this.locate(ref), version, manifest.dataVersion, this.now());
    await this.writeSymlink(ref, version);
    // NOTE: the new files go into the read cache, so checks and downstream steps on this machine
    // read them without downloading.
    for (const staged of uploads) this.cache.add(staged.sha256, staged.file);
    // NOTE: only a partition that had a version can hold superseded files; leftovers of failed
    // first writes are for `sweep`.
    if (base) {
      await this.housekeep(ref, manifest, base).catch((error) =>
        this.options.log?.warn(
          { partition: this.locate(ref), err: error },
          'lake housekeeping failed; `shopflow sweep` removes the leftovers later',
        ),
      );
    }
    return version;
  }

  /** Writes the manifest last, in one PUT, conditional on the version the write started from. */
  private async publish(
    ref: PartitionRef,
    manifest: Omit<PartitionManifest, 'format'>,
    base: PartitionVersion | undefined,
  ): Promise<string | null> {
    const key = `${partitionFolder(ref)}${MANIFEST_NAME}`;
    const bytes = serializeManifest(manifest);
    if (!this.config.conditionalWrites) {
      const written = await this.driver.write(
        key,
        { sha256: '', size: bytes.length, buffer: bytes, owned: false, dispose: async () => {} },
        { contentType: 'application/json' },
      );
      return written.etag ?? null;
    }
    const condition = base?.token ? { ifMatch: base.token } : { ifNoneMatch: '*' as const };
    const result = await this.driver.writeConditional(key, bytes, condition, {
      contentType: 'application/json',
    });
    if (result !== 'conflict') return result.etag ?? null;
    // NOTE: a retried PUT whose first attempt did land answers 412 too: the manifest is ours then.
    const now = await this.head(ref);
    if (now?.commitId === manifest.commitId) return now.token;
    throw this.conflict(ref, `another writer committed it first (commit ${now?.commitId ?? 'none'})`);
  }

  private conflict(ref: PartitionRef, what: string): ShopflowError {
    return new ShopflowError('SF_LAKE_CONFLICT', `${this.locate(ref)}: ${what}; nothing was committed`, {
      hint: 'another process wrote the partition without its lock; run the step again',
    });
  }

  /** After a commit: removes what the partition's folder holds that may go (see {@link unreferencedObjects}). */
  private async housekeep(
    ref: PartitionRef,
    manifest: Omit<PartitionManifest, 'format'>,
    base: PartitionVersion,
  ): Promise<void> {
    const folder = partitionFolder(ref);
    const cutoff = this.now() - this.graceMs;
    // NOTE: files the base had retired are known by name: no listing needed to remove them.
    const kept = new Set(manifest.retired.map((r) => r.name));
    for (const retired of base.retired ?? []) {
      if (!kept.has(retired.name)) await this.driver.remove(`${folder}${retired.name}`);
    }
    // NOTE: uploads no version listed (failed writes) need a listing; a partition rewritten within
    // the grace period of its previous commit is listed again at a later commit, or by `sweep`.
    if (base.committedAt && Date.parse(base.committedAt) > cutoff) return;
    const objects: Array<{ path: string; name: string; lastModified: Date }> = [];
    for await (const object of this.driver.list(folder)) {
      objects.push({ ...object, name: object.path.slice(folder.length) });
    }
    for (const object of unreferencedObjects(objects, manifest, cutoff)) {
      await this.driver.remove(object.path);
    }
  }

  /**
   * With `symlinks`, the partition's symlink manifest now lists `version`'s files. A failure fails
   * the step (after the commit): its retry commits nothing new and writes the manifest again.
   */
  private async writeSymlink(ref: PartitionRef, version: PartitionVersion): Promise<void> {
    if (!this.config.symlinks) return;
    const files = version.files.map((f) => this.locate(ref, f.name));
    await this.writeText(symlinkManifestPath(ref), `${files.join('\n')}\n`);
  }

  async writeText(path: string, text: string): Promise<string> {
    const buffer = Buffer.from(text, 'utf8');
    const sha256 = createHash('sha256').update(buffer).digest('hex');
    await this.driver.write(
      path,
      { sha256, size: buffer.length, buffer, owned: false, dispose: async () => {} },
      { contentType: 'text/plain' },
    );
    return `${this.description}${path}`;
  }

  async sweep(assetKey: string, options: SweepOptions = {}): Promise<SweepResult> {
    const cutoff = this.now() - (options.olderThanMs ?? this.graceMs);
    const byFolder = new Map<
      string,
      Array<{ path: string; name: string; size: number; lastModified: Date }>
    >();
    for await (const object of this.driver.list(`${assetKey}/`)) {
      const folder = object.path.slice(0, object.path.lastIndexOf('/') + 1);
      const list = byFolder.get(folder) ?? [];
      list.push({ ...object, name: object.path.slice(folder.length) });
      byFolder.set(folder, list);
    }
    const result: SweepResult = { removed: [], bytes: 0 };
    const runMarks = options.runIds?.map((id) => `-${safeName(id)}-`);
    for (const [folder, objects] of byFolder) {
      const manifestKey = `${folder}${MANIFEST_NAME}`;
      const manifest = objects.some((o) => o.path === manifestKey)
        ? (await this.readManifest(manifestKey))?.manifest
        : undefined;
      // NOTE: without a manifest, the folder's objects are the leftovers of a first write that never
      // committed or a version whose manifest was lost; only the latter's loss cannot be undone, so
      // only a dead run's staged objects go (`shopflow doctor` reports a lost manifest).
      if (!manifest && !runMarks) continue;
      for (const object of unreferencedObjects(objects, manifest, cutoff)) {
        if (runMarks && !runMarks.some((mark) => object.name.includes(mark))) continue;
        if (!options.dryRun) await this.driver.remove(object.path);
        result.removed.push(this.driver.locate(object.path));
        result.bytes += object.size;
      }
    }
    return result;
  }

  async close(): Promise<void> {
    await this.driver.close();
  }
}

/**
 * The files a new manifest keeps as retired: those the base version listed and the new one does
 * not (retired now), and those the base kept that are still within the grace period.
 */
function retiredAfter(
  base: PartitionVersion | undefined,
  manifest: Pick<PartitionManifest, 'files' | 'quarantine'>,
  now: string,
  cutoff: number,
): Array<{ name: string; at: string }> {
  const listed = new Set(manifest.files.map((f) => f.name));
  if (manifest.quarantine) listed.add(manifest.quarantine.name);
  const replaced = [...(base?.files ?? []), ...(base?.quarantine ? [base.quarantine] : [])]
    .filter((f) => !listed.has(f.name))
    .map((f) => ({ name: f.name, at: now }));
  const kept = (base?.retired ?? []).filter((r) => Date.parse(r.at) > cutoff);
  return [...kept, ...replaced];
}

/** Removes the staging folders that processes which died (killed mid-write) left under `root`. */
function removeStagingOfDeadProcesses(root: string): void {
  if (!existsSync(root)) return;
  for (const name of readdirSync(root)) {
    const pid = Number(name.split('-')[0]);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH')
        rmSync(join(root, name), { recursive: true, force: true });
    }
  }
}

/** A staged local file about to be uploaded under `name`. */
interface StagedFile {
  name: string;
  file: string;
  sha256: string;
  size: number;
}

async function stagedFile(name: string, file: string): Promise<StagedFile> {
  return { name, file, ...(await hashFile(file)) };
}

function asManifestFile(file: LakeFile | undefined): { name: string; sha256: string; size: number } {
  if (!file?.sha256 || file.size === undefined) {
    throw new ShopflowError('SF_IO', `lake file ${file?.name ?? '(none)'} has no recorded SHA-256 and size`, {
      hint: 're-materialize the partition',
    });
  }
  return { name: file.name, sha256: file.sha256, size: file.size };
}

/**
 * Creates the S3 lake of a config (see {@link S3LakeStorage}). The section is validated again, so a
 * config built in code gets the same defaults and errors as one read from a file.
 */
export function createS3LakeStorage(
  config: z.input<typeof S3LakeConfigSchema>,
  options: {
    home: string;
    log?: Logger;
    now?: () => number;
    fromEnvironment?: Readonly<Record<string, readonly string[]>>;
  },
): S3LakeStorage {
  const parsed = S3LakeConfigSchema.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ShopflowError(
      'SF_CONFIG_INVALID',
      `config field \`lake.${issue.path.join('.')}\` is invalid: ${issue.message}`,
      { hint: 'fix the `lake` section of the config' },
    );
  }
  return new S3LakeStorage(parsed.data, options);
}

/** How errors name the `lake` config, with the environment variables its S3 fields came from. */
function lakeSection(fromEnvironment: Readonly<Record<string, readonly string[]>> | undefined): string {
  const origins = ['bucket', 'endpoint', 'region']
    .map((field) => [field, fromEnvironment?.[`lake.${field}`] ?? []] as const)
    .filter(([, variables]) => variables.length > 0)
    .map(([field, variables]) => `\`${field}\` from ${variables.join(', ')}`);
  return `the \`lake\` config${origins.length ? ` (${origins.join('; ')})` : ''}`;
}
