import type { DuckDbSession } from '../../duckdb/duckdb-session.js';
import type { LakeFileProblem, VerifyDepth } from './lake-file-integrity.js';

/** One asset partition of the lake (`partitionKey` null for an unpartitioned asset). */
export interface PartitionRef {
  assetKey: string;
  partitionKey: string | null;
}

/** One file of a committed partition version. */
export interface LakeFile {
  /** File name inside the partition's folder. */
  name: string;
  /** Hex SHA-256 of the bytes as committed (absent for files committed before it was recorded). */
  sha256?: string;
  /** Size in bytes as committed (absent likewise). */
  size?: number;
}

/**
 * What a partition holds now: the data files a reader must read (all of them, nothing else) and the
 * quarantined rows. Readers get one committed version or the next, never a mix.
 */
export interface PartitionVersion {
  files: LakeFile[];
  quarantine: LakeFile | null;
  /** Identifies this version for a conditional commit (S3: the manifest's ETag); null when the backend has none. */
  token: string | null;
  /** The commit that published it, where the backend records one. */
  commitId: string | null;
  /** When it was committed, where the backend records it. */
  committedAt?: string;
  /** Files of earlier versions kept for their readers, with when they were replaced (S3). */
  retired?: Array<{ name: string; at: string }>;
}

/** How a commit changes the data files; `file` is a staged local Parquet file. */
export type DataChange =
  | { kind: 'replace'; file: string }
  | { kind: 'append'; file: string }
  /** Replaces exactly `replaces` (the current files) by one merged file with the same data. */
  | { kind: 'compact'; file: string; replaces: LakeFile[] };

/** One publication of new data for a partition. */
export interface CommitRequest {
  runId: string;
  data: DataChange;
  /** A staged quarantine file; `null` removes the current one; left out, the current one stays. */
  quarantine?: string | null;
  /**
   * The version the change was computed from (what {@link LakeStorage.head} returned): the commit
   * fails with `SF_LAKE_CONFLICT` when another writer published a different version meanwhile.
   */
  base: PartitionVersion | undefined;
  /** Recorded with the version where the backend keeps a manifest. */
  dataVersion?: string;
  rowCount?: number;
}

/** Local files a write prepares before it commits. */
export interface LakeStaging {
  /** A fresh local path ending with `suffix` (e.g. `.parquet`). */
  path(suffix: string): string;
  /** Removes every staged file that was not moved into the lake. */
  dispose(): Promise<void>;
}

/** What a sweep removed (or, in a dry run, would remove). */
export interface SweepResult {
  /** Locations of the removed files. */
  removed: string[];
  bytes: number;
}

export interface SweepOptions {
  /** Only leftovers of these (dead) runs. */
  runIds?: string[];
  /** Only files at least this old; the backend's grace period when left out. */
  olderThanMs?: number;
  dryRun?: boolean;
}

/**
 * Where the lake's Parquet files live — a local folder or an S3 bucket — with one partition layout
 * (`<asset>/partition=<key>/…`, unpartitioned: `<asset>/…`) and one contract: `commit` publishes a
 * new version atomically, so a reader sees the previous version or the new one, never part of it;
 * a write that fails or is killed leaves the previous version readable, and its leftovers for
 * `sweep`. The lake table (`lakeTable()`) builds every write and read on these operations.
 *
 * @example
 * const lake = createLakeStorage(config.lake, { home, log });
 * const version = await lake.head({ assetKey: 'orders', partitionKey: '2024-01-15' });
 * const files = version ? await lake.readable(ref, version.files, duckdb) : [];
 */
export interface LakeStorage {
  readonly kind: 'local' | 's3';
  /** Where the lake lives, e.g. `/srv/shopflow/lake` or `s3://bucket/lake/` — never credentials. */
  readonly description: string;
  /** Where a partition (or one of its files) lives, for people. */
  locate(ref: PartitionRef, fileName?: string): string;
  /** Local files for a write to prepare; the caller disposes them. */
  stage(ref: PartitionRef, runId: string): Promise<LakeStaging>;
  /**
   * The committed version of a partition, or undefined when it was never written. With
   * `dataVersion` (the version the instance store records), a backend may answer from a version
   * with that data version it saw recently, without looking again, and a partition with no
   * committed version (its file list removed outside ShopFlow) is `SF_LAKE_CORRUPT` rather than
   * empty; never pass it for a write.
   */
  head(ref: PartitionRef, options?: { dataVersion?: string }): Promise<PartitionVersion | undefined>;
  /**
   * Paths (or URLs) DuckDB can read for `files` of a committed version. They stay readable until
   * `session` closes, whatever is committed or evicted meanwhile. What is handed out was verified
   * against the size and SHA-256 recorded at commit; a missing or damaged file raises
   * `SF_LAKE_CORRUPT` naming the file and the partition.
   */
  readable(ref: PartitionRef, files: LakeFile[], session: DuckDbSession): Promise<string[]>;
  /**
   * What is wrong with the files of the committed version of a partition the instance store records
   * as materialized (empty: nothing found). `quick` compares sizes where that costs no request
   * (local: a stat per file; S3: nothing, its reads verify checksums); `deep` reads every file's
   * checksum (local) or asks for every object's size (S3). A damaged or missing file list is a
   * problem too.
   */
  verify(ref: PartitionRef, depth: VerifyDepth): Promise<LakeFileProblem[]>;
  /** Publishes a new version atomically and returns it. */
  commit(ref: PartitionRef, request: CommitRequest): Promise<PartitionVersion>;
  /**
   * Writes a small text file at `path`, relative to the lake's root and outside every asset's
   * folder (e.g. `_symlinks/…`), replacing it atomically; returns where it lives.
   */
  writeText(path: string, text: string): Promise<string>;
  /** Removes files no committed version of the asset references: leftovers of failed writes, superseded files. */
  sweep(assetKey: string, options?: SweepOptions): Promise<SweepResult>;
  close(): Promise<void>;
}
