import type { Readable } from 'node:stream';
import type { StagedBody } from './staged-body.js';

/** What a backend knows about one stored blob. */
export interface BlobStat {
  size: number;
  lastModified: Date;
  /** Changes whenever the blob's bytes are replaced (local: size and mtime; S3: the ETag). */
  fingerprint: string;
  etag?: string;
  versionId?: string;
  contentType?: string;
  metadata?: Record<string, string>;
}

/** Stored with a blob where the backend can (S3); the local backend keeps them in the manifest only. */
export interface BlobWriteOptions {
  contentType?: string;
  metadata?: Record<string, string>;
}

/** What a blob write produced. */
export interface BlobWriteResult {
  fingerprint: string;
  etag?: string;
  versionId?: string;
}

/**
 * The unversioned storage a backend provides, by store-relative path (the backend adds its root
 * folder or bucket prefix). Every write is atomic. Missing blobs are `undefined`/`false`, never
 * errors; other failures are thrown as `ShopflowError`s that name the location and the fix.
 * The versioning layer ({@link ManifestVersionedStore}) is built on top of this.
 */
/** Which version of a blob to download, and whether the caller only reads the file. */
export interface BlobDownloadOptions {
  versionId?: string;
  readOnly?: boolean;
}

export interface BlobDriver {
  /** Human-readable location of the root, e.g. `s3://landing/shopflow/` — never credentials. */
  readonly description: string;
  /** Human-readable location of one path (for messages). */
  locate(path: string): string;
  /** A folder on local disk where `put` may stage stream bodies. */
  stagingDir(): Promise<string>;
  write(path: string, body: StagedBody, options: BlobWriteOptions): Promise<BlobWriteResult>;
  read(path: string): Promise<Buffer | undefined>;
  open(path: string): Promise<Readable | undefined>;
  /**
   * Copies the blob (or one of its versions, where the backend keeps them) to the local `file`
   * atomically; false when it does not exist. With `readOnly` (the caller only reads `file`, then
   * removes it) a driver on local disk may hand over a hard link of the stored bytes instead of a copy.
   */
  download(path: string, file: string, options?: BlobDownloadOptions): Promise<boolean>;
  stat(path: string): Promise<BlobStat | undefined>;
  /** Copies a blob inside the store (server-side where possible). */
  copy(from: string, to: string): Promise<void>;
  /** Removes a blob; no error when it does not exist. */
  remove(path: string): Promise<void>;
  /** Every blob whose path starts with `prefix`, sorted by path. */
  list(prefix: string): AsyncIterable<BlobStat & { path: string }>;
  close(): Promise<void>;
}
