import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { writeFileAtomically } from '../atomic-file.js';
import type {
  BlobDownloadOptions,
  BlobDriver,
  BlobStat,
  BlobWriteOptions,
  BlobWriteResult,
} from '../blob-driver.js';
import { type RetryOptions, withRetry } from '../retry-policy.js';
import { openStaged, type StagedBody } from '../staged-body.js';
import { isTransientS3Error, toS3StoreError } from './s3-error.js';
import { s3Sdk, s3Upload } from './s3-sdk.js';

/** Everything the S3 driver needs, resolved from the config. */
export interface S3DriverSettings {
  client: S3Client;
  bucket: string;
  /** '' or a folder ending with `/`. */
  prefix: string;
  endpoint?: string;
  multipartThresholdBytes: number;
  partSizeBytes: number;
  queueSize: number;
  listPageSize: number;
  retry: RetryOptions;
  /** Credential values that must never appear in an error. */
  secrets: string[];
  /** The config section that names the bucket, for error hints (default: the object store config). */
  configSection?: string;
}

/** The precondition of a conditional write: the current ETag, or `*` for "no object yet". */
export type WriteCondition = { ifMatch: string } | { ifNoneMatch: '*' };

/** One stored version of a key in a versioned bucket. */
export interface S3KeyVersion {
  versionId: string;
  size: number;
  lastModified: Date;
  isLatest: boolean;
  isDeleteMarker: boolean;
}

function unquote(etag: string | undefined): string | undefined {
  return etag?.replace(/"/g, '');
}

function isMissing(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  if (e?.name === 'NoSuchBucket') return false;
  return (
    e?.name === 'NoSuchKey' ||
    e?.name === 'NotFound' ||
    e?.name === 'NoSuchVersion' ||
    e?.$metadata?.httpStatusCode === 404
  );
}

/** `x-amz-copy-source`: URL-encoded, with `/` kept between segments. */
function copySource(bucket: string, key: string): string {
  // NOTE: encodeURI keeps `=` and `/` readable (s3rver decodes with decodeURI); `?`, `#` and `+`
  // would change the meaning of the header, so they are escaped too.
  return encodeURI(`${bucket}/${key}`).replace(/\?/g, '%3F').replace(/#/g, '%23').replace(/\+/g, '%2B');
}

/**
 * Blobs as objects in one S3 bucket under a prefix. Every request goes through the store's retry
 * policy (the SDK's own retries are off). Bodies up to `multipartThresholdBytes` go up in one PUT;
 * larger ones as a multipart upload (`partSizeBytes` parts, `queueSize` at a time) that is aborted
 * when it fails, so no partial object ever becomes visible. A failed multipart upload is retried
 * whole, re-reading the staged body.
 *
 * @example
 * const driver = new S3BlobDriver({ client, bucket: 'landing', prefix: 'prod/', ... });
 * await driver.stat('raw/a.csv');
 */
export class S3BlobDriver implements BlobDriver {
  readonly description: string;
  private staging?: Promise<string>;

  constructor(private readonly settings: S3DriverSettings) {
    this.description = `s3://${settings.bucket}/${settings.prefix}`;
  }

  locate(path: string): string {
    return `s3://${this.settings.bucket}/${this.fullKey(path)}`;
  }

  private fullKey(path: string): string {
    return `${this.settings.prefix}${path}`;
  }

  stagingDir(): Promise<string> {
    this.staging ??= mkdtemp(join(tmpdir(), 'shopflow-s3-staging-'));
    return this.staging;
  }

  /** Runs one S3 request (or a whole multipart upload) under the retry policy. */
  private async call<T>(operation: string, path: string | undefined, run: () => Promise<T>): Promise<T> {
    const key = path === undefined ? undefined : this.fullKey(path);
    const label = `${operation} s3://${this.settings.bucket}${key === undefined ? '' : `/${key}`}`;
    try {
      return await withRetry(label, run, { policy: this.settings.retry, isTransient: isTransientS3Error });
    } catch (error) {
      throw toS3StoreError(error, {
        operation,
        bucket: this.settings.bucket,
        key,
        endpoint: this.settings.endpoint,
        secrets: this.settings.secrets,
        configSection: this.settings.configSection,
      });
    }
  }

  async write(path: string, body: StagedBody, options: BlobWriteOptions): Promise<BlobWriteResult> {
    const params = {
      Bucket: this.settings.bucket,
      Key: this.fullKey(path),
      ...(options.contentType === undefined ? {} : { ContentType: options.contentType }),
      ...(options.metadata === undefined ? {} : { Metadata: options.metadata }),
    };
    const output = await this.call('PUT', path, () =>
      body.size <= this.settings.multipartThresholdBytes
        ? this.putSingle(params, body)
        : this.putMultipart(params, body),
    );
    const etag = unquote(output.ETag);
    return { fingerprint: etag ?? '', etag, ...(output.VersionId ? { versionId: output.VersionId } : {}) };
  }

  /**
   * Writes small bytes in one PUT that S3 applies only if `condition` holds (`If-Match` the ETag
   * read before, or `If-None-Match: *`). Returns the new ETag, or `conflict` when S3 answered 412
   * (the object changed) or 409 (another conditional write was in flight). Servers that ignore the
   * headers (s3rver) always write.
   */
  async writeConditional(
    path: string,
    bytes: Buffer,
    condition: WriteCondition,
    options: BlobWriteOptions = {},
  ): Promise<{ etag?: string } | 'conflict'> {
    return await this.call('PUT', path, async () => {
      try {
        const output = await this.settings.client.send(
          new (s3Sdk().PutObjectCommand)({
            Bucket: this.settings.bucket,
            Key: this.fullKey(path),
            Body: bytes,
            ContentLength: bytes.length,
            ...('ifMatch' in condition ? { IfMatch: `"${condition.ifMatch}"` } : { IfNoneMatch: '*' }),
            ...(options.contentType === undefined ? {} : { ContentType: options.contentType }),
            ...(options.metadata === undefined ? {} : { Metadata: options.metadata }),
          }),
        );
        return { etag: unquote(output.ETag) };
      } catch (error) {
        const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
        const status = e?.$metadata?.httpStatusCode;
        if (status === 412 || status === 409 || e?.name === 'PreconditionFailed') return 'conflict' as const;
        throw error;
      }
    });
  }

  /** The whole blob with its ETag, or undefined when it does not exist. */
  async readTagged(path: string): Promise<{ body: Buffer; etag?: string } | undefined> {
    return this.call('GET', path, async () => {
      try {
        const output = await this.getObject(path);
        return { body: Buffer.from(await output.Body!.transformToByteArray()), etag: unquote(output.ETag) };
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    });
  }

  private async putSingle(params: { Bucket: string; Key: string }, body: StagedBody) {
    const bytes = body.buffer ?? (await readFile(body.file!));
    return this.settings.client.send(
      new (s3Sdk().PutObjectCommand)({ ...params, Body: bytes, ContentLength: bytes.length }),
    );
  }

  private async putMultipart(params: { Bucket: string; Key: string }, body: StagedBody) {
    const stream = body.buffer ? undefined : openStaged(body);
    const upload = new (s3Upload().Upload)({
      client: this.settings.client,
      params: { ...params, Body: body.buffer ?? stream },
      partSize: this.settings.partSizeBytes,
      queueSize: this.settings.queueSize,
      // NOTE: the store aborts the upload itself: lib-storage's own abort replaces the real
      // error with the abort's error when the abort fails too.
      leavePartsOnError: true,
    });
    try {
      return await upload.done();
    } catch (error) {
      if (upload.uploadId) {
        const failure = await this.abortMultipart(params, upload.uploadId);
        if (failure && error && typeof error === 'object') Object.assign(error, { abortFailure: failure });
      }
      throw error;
    } finally {
      stream?.destroy();
    }
  }

  /** Aborts a multipart upload; returns why it could not, or undefined when it was aborted. */
  private async abortMultipart(
    params: { Bucket: string; Key: string },
    uploadId: string,
  ): Promise<string | undefined> {
    try {
      await withRetry(
        `ABORT s3://${params.Bucket}/${params.Key}`,
        () =>
          this.settings.client.send(
            new (s3Sdk().AbortMultipartUploadCommand)({ ...params, UploadId: uploadId }),
          ),
        { policy: this.settings.retry, isTransient: isTransientS3Error },
      );
      return undefined;
    } catch (error) {
      const e = (error as { cause?: unknown }).cause ?? error;
      if ((e as { name?: string }).name === 'NoSuchUpload') return undefined;
      return `${(e as Error).name}: ${(e as Error).message}`;
    }
  }

  private getObject(path: string, versionId?: string) {
    return this.settings.client.send(
      new (s3Sdk().GetObjectCommand)({
        Bucket: this.settings.bucket,
        Key: this.fullKey(path),
        ...(versionId === undefined ? {} : { VersionId: versionId }),
      }),
    );
  }

  async read(path: string, versionId?: string): Promise<Buffer | undefined> {
    return this.call('GET', path, async () => {
      try {
        const output = await this.getObject(path, versionId);
        return Buffer.from(await output.Body!.transformToByteArray());
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    });
  }

  async open(path: string, versionId?: string): Promise<Readable | undefined> {
    return this.call('GET', path, async () => {
      try {
        return (await this.getObject(path, versionId)).Body as Readable;
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    });
  }

  async download(path: string, file: string, { versionId }: BlobDownloadOptions = {}): Promise<boolean> {
    return this.call('GET', path, async () => {
      let body: Readable;
      try {
        body = (await this.getObject(path, versionId)).Body as Readable;
      } catch (error) {
        if (isMissing(error)) return false;
        throw error;
      }
      await writeFileAtomically(file, (tmp) => pipeline(body, createWriteStream(tmp)));
      return true;
    });
  }

  async stat(path: string, versionId?: string): Promise<BlobStat | undefined> {
    return this.call('HEAD', path, async () => {
      try {
        const output = await this.settings.client.send(
          new (s3Sdk().HeadObjectCommand)({
            Bucket: this.settings.bucket,
            Key: this.fullKey(path),
            ...(versionId === undefined ? {} : { VersionId: versionId }),
          }),
        );
        const etag = unquote(output.ETag);
        return {
          size: output.ContentLength ?? 0,
          lastModified: output.LastModified ?? new Date(0),
          fingerprint: etag ?? '',
          ...(etag === undefined ? {} : { etag }),
          ...(output.VersionId ? { versionId: output.VersionId } : {}),
          ...(output.ContentType === undefined ? {} : { contentType: output.ContentType }),
          metadata: output.Metadata ?? {},
        };
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    });
  }

  async copy(from: string, to: string): Promise<void> {
    await this.call('COPY', to, () =>
      this.settings.client.send(
        new (s3Sdk().CopyObjectCommand)({
          Bucket: this.settings.bucket,
          Key: this.fullKey(to),
          CopySource: copySource(this.settings.bucket, this.fullKey(from)),
        }),
      ),
    );
  }

  async remove(path: string, versionId?: string): Promise<void> {
    await this.call('DELETE', path, async () => {
      try {
        await this.settings.client.send(
          new (s3Sdk().DeleteObjectCommand)({
            Bucket: this.settings.bucket,
            Key: this.fullKey(path),
            ...(versionId === undefined ? {} : { VersionId: versionId }),
          }),
        );
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
    });
  }

  async *list(prefix: string): AsyncIterable<BlobStat & { path: string }> {
    const strip = this.settings.prefix.length;
    let marker: string | undefined;
    do {
      // NOTE: ListObjects (v1) with Marker pagination: S3 supports it fully, and s3rver's v2
      // continuation tokens use DES, which Node's OpenSSL 3 refuses.
      const page = await this.call('LIST', prefix, () =>
        this.settings.client.send(
          new (s3Sdk().ListObjectsCommand)({
            Bucket: this.settings.bucket,
            Prefix: this.fullKey(prefix),
            MaxKeys: this.settings.listPageSize,
            ...(marker === undefined ? {} : { Marker: marker }),
          }),
        ),
      );
      const contents = page.Contents ?? [];
      for (const object of contents) {
        if (!object.Key) continue;
        const etag = unquote(object.ETag);
        yield {
          path: object.Key.slice(strip),
          size: object.Size ?? 0,
          lastModified: object.LastModified ?? new Date(0),
          fingerprint: etag ?? '',
          ...(etag === undefined ? {} : { etag }),
        };
      }
      marker = page.IsTruncated ? (page.NextMarker ?? contents.at(-1)?.Key) : undefined;
    } while (marker !== undefined);
  }

  /** The bucket's versioning status (`Enabled`, `Suspended`, or undefined when never enabled). */
  async bucketVersioning(): Promise<string | undefined> {
    const output = await this.call('GET VERSIONING', undefined, () =>
      this.settings.client.send(new (s3Sdk().GetBucketVersioningCommand)({ Bucket: this.settings.bucket })),
    );
    return output.Status;
  }

  /** Every version and delete marker of exactly `path`, newest first (versioned buckets). */
  async listVersions(path: string): Promise<S3KeyVersion[]> {
    const key = this.fullKey(path);
    const found: S3KeyVersion[] = [];
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;
    do {
      const page = await this.call('LIST VERSIONS', path, () =>
        this.settings.client.send(
          new (s3Sdk().ListObjectVersionsCommand)({
            Bucket: this.settings.bucket,
            Prefix: key,
            MaxKeys: this.settings.listPageSize,
            ...(keyMarker === undefined ? {} : { KeyMarker: keyMarker, VersionIdMarker: versionMarker }),
          }),
        ),
      );
      for (const v of page.Versions ?? []) {
        if (v.Key !== key || !v.VersionId) continue;
        const lastModified = v.LastModified ?? new Date(0);
        found.push({
          versionId: v.VersionId,
          size: v.Size ?? 0,
          lastModified,
          isLatest: !!v.IsLatest,
          isDeleteMarker: false,
        });
      }
      for (const m of page.DeleteMarkers ?? []) {
        if (m.Key !== key || !m.VersionId) continue;
        const lastModified = m.LastModified ?? new Date(0);
        found.push({
          versionId: m.VersionId,
          size: 0,
          lastModified,
          isLatest: !!m.IsLatest,
          isDeleteMarker: true,
        });
      }
      const more = page.IsTruncated && (page.NextKeyMarker ?? '') !== '' && (page.NextKeyMarker ?? '') <= key;
      keyMarker = more ? page.NextKeyMarker : undefined;
      versionMarker = more ? page.NextVersionIdMarker : undefined;
    } while (keyMarker !== undefined);
    return found.sort(
      (a, b) =>
        Number(b.isLatest) - Number(a.isLatest) || b.lastModified.getTime() - a.lastModified.getTime(),
    );
  }

  async close(): Promise<void> {
    this.settings.client.destroy();
    if (this.staging) await rm(await this.staging, { recursive: true, force: true });
  }
}
