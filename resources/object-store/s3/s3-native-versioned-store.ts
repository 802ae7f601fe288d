import type { Readable } from 'node:stream';
import type { S3BlobDriver } from '../../../framework/io/blob/s3/s3-blob-driver.js';
import { stageBody } from '../../../framework/io/blob/staged-body.js';
import { KeyedMutex } from '../keyed-mutex.js';
import { isVersionsPath, validateObjectKey, validateObjectPrefix } from '../object-key.js';
import { objectNotFound } from '../object-not-found.js';
import type {
  DownloadOptions,
  ObjectInfo,
  ObjectStore,
  ObjectVersion,
  PutBody,
  PutOptions,
  PutResult,
  ReadOptions,
} from '../object-store.js';

/** S3's version id for an object written while the bucket had no versioning. */
const NULL_VERSION = 'null';

/**
 * The object store on a bucket whose versioning is Enabled: S3 keeps every version itself. Each
 * object carries its SHA-256 as `x-amz-meta-sha256`, so re-putting identical bytes is recognised
 * with one HEAD and writes nothing.
 *
 * @example
 * const store = new S3NativeVersionedStore(driver); // chosen by createS3ObjectStore when versioning is Enabled
 */
export class S3NativeVersionedStore implements ObjectStore {
  readonly kind = 's3';
  private readonly locks = new KeyedMutex();

  constructor(private readonly driver: S3BlobDriver) {}

  get description(): string {
    return this.driver.description;
  }

  async put(key: string, body: PutBody, options: PutOptions = {}): Promise<PutResult> {
    validateObjectKey(key);
    const staged = await stageBody(body, await this.driver.stagingDir());
    try {
      return await this.locks.run(key, async () => {
        const live = await this.driver.stat(key);
        const same = live && live.metadata?.sha256 === staged.sha256 && live.size === staged.size;
        const { sha256, size } = staged;
        if (live && same)
          return {
            key,
            versionId: live.versionId ?? NULL_VERSION,
            sha256,
            size,
            etag: live.etag,
            created: false,
          };
        const written = await this.driver.write(key, staged, {
          contentType: options.contentType,
          metadata: { ...options.metadata, sha256 },
        });
        return {
          key,
          versionId: written.versionId ?? NULL_VERSION,
          sha256,
          size,
          etag: written.etag,
          created: true,
        };
      });
    } finally {
      await staged.dispose();
    }
  }

  async get(key: string, options: ReadOptions = {}): Promise<Buffer> {
    validateObjectKey(key);
    return (await this.driver.read(key, options.versionId)) ?? this.fail(key, options.versionId);
  }

  async getStream(key: string, options: ReadOptions = {}): Promise<Readable> {
    validateObjectKey(key);
    return (await this.driver.open(key, options.versionId)) ?? this.fail(key, options.versionId);
  }

  async download(key: string, file: string, options: DownloadOptions = {}): Promise<void> {
    validateObjectKey(key);
    if (!(await this.driver.download(key, file, { versionId: options.versionId })))
      await this.fail(key, options.versionId);
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    validateObjectKey(key);
    const live = await this.driver.stat(key);
    if (!live) return undefined;
    const { sha256, ...metadata } = live.metadata ?? {};
    return {
      key,
      size: live.size,
      lastModified: live.lastModified,
      versionId: live.versionId ?? NULL_VERSION,
      fingerprint: live.fingerprint,
      ...(sha256 === undefined ? {} : { sha256 }),
      ...(live.contentType === undefined ? {} : { contentType: live.contentType }),
      metadata,
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
    const versions = await this.driver.listVersions(key);
    return versions
      .filter((v) => !v.isDeleteMarker)
      .map((v) => ({
        key,
        versionId: v.versionId,
        size: v.size,
        lastModified: v.lastModified,
        isLatest: v.isLatest,
      }));
  }

  async delete(key: string): Promise<void> {
    validateObjectKey(key);
    await this.locks.run(key, async () => {
      for (const version of await this.driver.listVersions(key))
        await this.driver.remove(key, version.versionId);
    });
  }

  async close(): Promise<void> {
    await this.driver.close();
  }

  private async fail(key: string, versionId: string | undefined): Promise<never> {
    if (versionId !== undefined) {
      const known = (await this.listVersions(key)).map((v) => v.versionId);
      throw objectNotFound({ key, versionId, where: this.driver.description, knownVersions: known });
    }
    const folder = key.includes('/') ? key.slice(0, key.lastIndexOf('/') + 1) : '';
    const siblings: string[] = [];
    for await (const info of this.list(folder)) {
      siblings.push(info.key);
      if (siblings.length >= 200) break;
    }
    throw objectNotFound({ key, where: this.driver.description, siblings });
  }
}
