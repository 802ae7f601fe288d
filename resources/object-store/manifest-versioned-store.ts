import type { Readable } from 'node:stream';
import type { BlobDriver, BlobStat } from '../../framework/io/blob/blob-driver.js';
import { hashStream, type StagedBody, stageBody } from '../../framework/io/blob/staged-body.js';
import { KeyedMutex } from './keyed-mutex.js';
import {
  isVersionsPath,
  manifestPath,
  validateObjectKey,
  validateObjectPrefix,
  versionsFolder,
} from './object-key.js';
import { objectNotFound } from './object-not-found.js';
import type {
  DownloadOptions,
  ObjectInfo,
  ObjectStore,
  ObjectVersion,
  PutBody,
  PutOptions,
  PutResult,
  ReadOptions,
} from './object-store.js';
import {
  type ManifestEntry,
  newVersionId,
  parseVersionManifest,
  serializeVersionManifest,
} from './version-manifest.js';

/** The versions of a key as they really are: the manifest reconciled with the live object. */
interface History {
  live: BlobStat | undefined;
  /** Newest first; when `live` exists, the first entry describes it. */
  versions: ManifestEntry[];
  /** True when `versions` differs from what the manifest says and should be written back. */
  changed: boolean;
}

/**
 * Versioning for backends that have none of their own (a local folder, an S3 bucket without
 * versioning): the live object stays at its key; before it is replaced, its bytes are copied to
 * `_versions/<key>.versions/<versionId>`; `_versions/<key>.manifest.json` lists every version
 * (id, SHA-256, size, time) newest first. Order of a write: preserve the old bytes, atomically
 * replace the live object, then record the manifest — so a crash never loses bytes, and a live
 * object the manifest does not describe (a crash before recording, or a write that bypassed the
 * store) is recognised by its fingerprint and kept as a version of its own.
 *
 * Writers of one key are serialised within a process; several processes landing the same key at
 * the same moment are not coordinated (the run's partition lock is what prevents that).
 *
 * @example
 * const store = new ManifestVersionedStore('local', new LocalBlobDriver('/srv/landing'));
 * const first = await store.put('raw/a.csv', 'id\n1\n');
 * await store.put('raw/a.csv', 'id\n2\n');
 * (await store.get('raw/a.csv', { versionId: first.versionId })).toString(); // 'id\n1\n'
 */
export class ManifestVersionedStore implements ObjectStore {
  private readonly locks = new KeyedMutex();

  constructor(
    readonly kind: 'local' | 's3',
    private readonly driver: BlobDriver,
    private readonly now: () => Date = () => new Date(),
  ) {}

  get description(): string {
    return this.driver.description;
  }

  async put(key: string, body: PutBody, options: PutOptions = {}): Promise<PutResult> {
    validateObjectKey(key);
    const staged = await stageBody(body, await this.driver.stagingDir());
    try {
      return await this.locks.run(key, () => this.putStaged(key, staged, options));
    } finally {
      await staged.dispose();
    }
  }

  private async putStaged(key: string, staged: StagedBody, options: PutOptions): Promise<PutResult> {
    const { live, versions, changed } = await this.history(key);
    const latest = live ? versions[0] : undefined;
    if (live && latest) {
      if (latest.sha256 === undefined) {
        const stream = await this.driver.open(key);
        if (stream) latest.sha256 = (await hashStream(stream)).sha256;
      }
      if (latest.sha256 === staged.sha256 && latest.size === staged.size) {
        if (changed) await this.writeManifest(key, versions);
        return {
          key,
          versionId: latest.versionId,
          sha256: staged.sha256,
          size: staged.size,
          etag: live.etag,
          created: false,
        };
      }
      const preserved = `${versionsFolder(key)}${latest.versionId}`;
      if (!(await this.driver.stat(preserved))) await this.driver.copy(key, preserved);
    }
    const at = this.now();
    const versionId = newVersionId(at);
    const written = await this.driver.write(key, staged, {
      contentType: options.contentType,
      metadata: { ...options.metadata, sha256: staged.sha256 },
    });
    const entry: ManifestEntry = {
      versionId,
      sha256: staged.sha256,
      size: staged.size,
      lastModified: at.toISOString(),
      fingerprint: written.fingerprint,
      ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
      ...(options.metadata === undefined ? {} : { metadata: { ...options.metadata } }),
    };
    await this.writeManifest(key, [entry, ...versions]);
    return { key, versionId, sha256: staged.sha256, size: staged.size, etag: written.etag, created: true };
  }

  async get(key: string, options: ReadOptions = {}): Promise<Buffer> {
    return this.read(key, options, async (path) => this.driver.read(path));
  }

  async getStream(key: string, options: ReadOptions = {}): Promise<Readable> {
    return this.read(key, options, async (path) => this.driver.open(path));
  }

  async download(key: string, file: string, options: DownloadOptions = {}): Promise<void> {
    await this.read(key, options, async (path) =>
      (await this.driver.download(path, file, { readOnly: options.readOnly })) ? true : undefined,
    );
  }

  private async read<T>(
    key: string,
    options: ReadOptions,
    reader: (path: string) => Promise<T | undefined>,
  ): Promise<T> {
    validateObjectKey(key);
    const attempt = async (): Promise<T> => {
      const path = await this.resolve(key, options.versionId);
      const result = await reader(path);
      if (result === undefined) throw await this.notFound(key, options.versionId);
      return result;
    };
    // NOTE: a versioned read of the latest version goes to the live key; holding the key's lock
    // keeps a concurrent put in this process from replacing it between resolving and reading.
    return options.versionId === undefined ? attempt() : this.locks.run(key, attempt);
  }

  private async resolve(key: string, versionId: string | undefined): Promise<string> {
    if (versionId === undefined) return key;
    const { live, versions } = await this.history(key);
    const index = versions.findIndex((v) => v.versionId === versionId);
    if (index < 0) throw await this.notFound(key, versionId, versions);
    return index === 0 && live ? key : `${versionsFolder(key)}${versionId}`;
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    validateObjectKey(key);
    const { live, versions } = await this.history(key);
    if (!live) return undefined;
    const latest = versions[0];
    return {
      key,
      size: live.size,
      lastModified: live.lastModified,
      versionId: latest.versionId,
      fingerprint: live.fingerprint,
      ...(latest.sha256 === undefined ? {} : { sha256: latest.sha256 }),
      ...(latest.contentType === undefined ? {} : { contentType: latest.contentType }),
      metadata: latest.metadata ?? {},
    };
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    validateObjectPrefix(prefix);
    for await (const blob of this.driver.list(prefix)) {
      if (isVersionsPath(blob.path)) continue;
      yield {
        key: blob.path,
        size: blob.size,
        lastModified: blob.lastModified,
        fingerprint: blob.fingerprint,
      };
    }
  }

  async listVersions(key: string): Promise<ObjectVersion[]> {
    validateObjectKey(key);
    const { live, versions } = await this.history(key);
    return versions.map((version, index) => ({
      key,
      versionId: version.versionId,
      size: version.size,
      lastModified: new Date(version.lastModified),
      ...(version.sha256 === undefined ? {} : { sha256: version.sha256 }),
      isLatest: index === 0 && live !== undefined,
    }));
  }

  async delete(key: string): Promise<void> {
    validateObjectKey(key);
    await this.locks.run(key, async () => {
      await this.driver.remove(key);
      for await (const blob of this.driver.list(versionsFolder(key))) await this.driver.remove(blob.path);
      await this.driver.remove(manifestPath(key));
    });
  }

  async close(): Promise<void> {
    await this.driver.close();
  }

  private async history(key: string): Promise<History> {
    const [text, live] = await Promise.all([this.driver.read(manifestPath(key)), this.driver.stat(key)]);
    const recorded =
      text === undefined
        ? []
        : parseVersionManifest(text.toString('utf8'), this.driver.locate(manifestPath(key))).versions;
    if (!live) {
      // NOTE: the live object was removed behind the store's back; its bytes went with it, so its
      // entry goes too. Earlier versions are still in the versions folder.
      return { live, versions: recorded.slice(1), changed: recorded.length > 0 };
    }
    if (recorded[0]?.fingerprint === live.fingerprint) return { live, versions: recorded, changed: false };
    const { sha256, ...metadata } = live.metadata ?? {};
    const found: ManifestEntry = {
      versionId: newVersionId(live.lastModified, `${key}\n${live.fingerprint}`),
      ...(sha256 === undefined ? {} : { sha256 }),
      size: live.size,
      lastModified: live.lastModified.toISOString(),
      fingerprint: live.fingerprint,
      ...(live.contentType === undefined ? {} : { contentType: live.contentType }),
      ...(Object.keys(metadata).length === 0 ? {} : { metadata }),
    };
    return { live, versions: [found, ...recorded], changed: true };
  }

  private async writeManifest(key: string, versions: ManifestEntry[]): Promise<void> {
    const text = serializeVersionManifest({ formatVersion: 1, key, versions });
    const staged = await stageBody(text, await this.driver.stagingDir());
    await this.driver.write(manifestPath(key), staged, { contentType: 'application/json' });
  }

  private async notFound(key: string, versionId?: string, versions?: ManifestEntry[]): Promise<Error> {
    if (versionId !== undefined) {
      const known = versions ?? (await this.history(key)).versions;
      return objectNotFound({
        key,
        versionId,
        where: this.driver.description,
        knownVersions: known.map((v) => v.versionId),
      });
    }
    return objectNotFound({ key, where: this.driver.description, siblings: await this.siblings(key) });
  }

  private async siblings(key: string): Promise<string[]> {
    const folder = key.includes('/') ? key.slice(0, key.lastIndexOf('/') + 1) : '';
    const keys: string[] = [];
    for await (const info of this.list(folder)) {
      keys.push(info.key);
      if (keys.length >= 200) break;
    }
    return keys;
  }
}
