import type { Readable } from 'node:stream';

/**
 * What `put` accepts: bytes, text (UTF-8), a stream (read once, staged to a temporary file so a
 * retry can replay it) or a file on disk (re-opened for every attempt; it must not change while
 * `put` runs).
 */
export type PutBody = Buffer | Uint8Array | string | Readable | { file: string };

/** How to store a `put` body. */
export interface PutOptions {
  contentType?: string;
  /** User metadata (S3 `x-amz-meta-*`); ASCII keys and values. */
  metadata?: Record<string, string>;
}

/** What a `put` stored (or found already stored). */
export interface PutResult {
  key: string;
  /** The version now current. Re-putting identical bytes returns the existing one. */
  versionId: string;
  /** Hex SHA-256 of the bytes. */
  sha256: string;
  size: number;
  /** The S3 ETag (quotes removed), when the backend has one. */
  etag?: string;
  /** False when the bytes were identical to the current version and nothing was written. */
  created: boolean;
}

/** One current object, from `head` or `list`. */
export interface ObjectInfo {
  key: string;
  size: number;
  lastModified: Date;
  /** Known for `head`; `list` leaves it out (one request per key would be needed). */
  versionId?: string;
  /**
   * Changes whenever the current object's bytes are replaced (S3: the ETag; local: size and
   * modification time), from `head` and `list` alike: a listing tells which objects are still the
   * ones read, one request per thousand keys instead of one per key.
   */
  fingerprint?: string;
  sha256?: string;
  contentType?: string;
  metadata?: Record<string, string>;
}

/** One stored version of a key, from `listVersions`. */
export interface ObjectVersion {
  key: string;
  versionId: string;
  size: number;
  lastModified: Date;
  /** Known when ShopFlow wrote the version through a manifest; native S3 versions leave it out. */
  sha256?: string;
  isLatest: boolean;
}

/** Which version a read returns. */
export interface ReadOptions {
  /** Read an earlier version (from `listVersions` or a `PutResult`); the current one by default. */
  versionId?: string;
}

/** A download: which version, and what the caller does with the file. */
export interface DownloadOptions extends ReadOptions {
  /**
   * The caller only reads the file, then removes it: a local store may give it a hard link of the
   * stored bytes (no copy, nothing to flush). Writing to such a file would change the stored
   * version, so leave this unset for a file anyone may edit.
   */
  readOnly?: boolean;
}

/**
 * A place to keep files by key — a local folder (default) or an S3 bucket — with versions: putting
 * different bytes under an existing key keeps the earlier bytes readable by `versionId`, and
 * putting identical bytes again is a no-op that returns the current version (idempotent landing).
 * Writes are atomic: a reader sees the old bytes or the new bytes, never part of them.
 *
 * @example
 * const store = createObjectStore({ type: 'local', path: '.shopflow/landing' });
 * const key = landingKey({ date: '2024-01-15', dataset: 'customers', file: 'customers.csv' });
 * const { versionId } = await store.put(key, { file: 'data/raw/customers.csv' }, { contentType: 'text/csv' });
 * const bytes = await store.get(key, { versionId });
 * for await (const info of store.list('raw/year=2024/')) console.log(info.key, info.size);
 */
export interface ObjectStore {
  readonly kind: 'local' | 's3';
  /** Where the objects live, e.g. `s3://landing/shopflow/` or `local:/srv/landing` — never credentials. */
  readonly description: string;
  put(key: string, body: PutBody, options?: PutOptions): Promise<PutResult>;
  /** The whole object in memory; throws `SF_OBJECT_NOT_FOUND` when the key or version is missing. */
  get(key: string, options?: ReadOptions): Promise<Buffer>;
  /** A stream of the object; only opening it is retried (use `get`/`download` to retry a broken transfer). */
  getStream(key: string, options?: ReadOptions): Promise<Readable>;
  /** Writes the object to `file` through a temporary file and a rename: never a partial file. */
  download(key: string, file: string, options?: DownloadOptions): Promise<void>;
  /** The current object's info, or undefined when there is none. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Every current object whose key starts with `prefix`, sorted by key. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  /** Every stored version of `key`, newest first; empty when the key has none. */
  listVersions(key: string): Promise<ObjectVersion[]>;
  /** Removes the object and all its versions; no error when there is nothing to remove. */
  delete(key: string): Promise<void>;
  /** Releases sockets (S3); the store is unusable afterwards. */
  close(): Promise<void>;
}
