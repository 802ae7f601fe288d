import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { ShopflowError } from '../../errors/error-catalog.js';
import { formatAssetPartition } from '../../keys/asset-key.js';
import { hashFile } from '../blob/staged-body.js';
import type { LakeFile, PartitionRef } from './lake-storage.js';

/** What is wrong with one file of a committed partition version. */
export interface LakeFileProblem {
  /** Where the file lives (path or `s3://` URL). */
  location: string;
  /** One clause, e.g. `is 1,024 bytes, 8,192 were written`. */
  problem: string;
}

/** How thoroughly {@link LakeStorage.verify} looks: `quick` (sizes, no reading) or `deep` (checksums too). */
export type VerifyDepth = 'quick' | 'deep';

const PARQUET_MAGIC = 'PAR1';

function bytes(n: number): string {
  return `${n.toLocaleString('en-US')} byte${n === 1 ? '' : 's'}`;
}

/**
 * The error a read of a damaged lake file raises: it names the file and the partition, says what is
 * wrong and how to repair it; `details` carry the partition so the executor can record it.
 */
/**
 * The problem of a partition the instance store records as materialized but whose file list (local
 * `_files.json`, S3 `_manifest.json`) is gone: its data files, if any are left, are no longer a version.
 */
export const LIST_MISSING = 'is missing, though the instance store records the partition as materialized';

export function lakeCorruptError(ref: PartitionRef, found: LakeFileProblem): ShopflowError {
  const label = formatAssetPartition(ref.assetKey, ref.partitionKey);
  const repair = `shopflow materialize ${ref.assetKey}${ref.partitionKey === null ? '' : ` --partition ${ref.partitionKey}`}`;
  return new ShopflowError('SF_LAKE_CORRUPT', `lake file ${found.location} of ${label} ${found.problem}`, {
    hint: `the partition now counts as missing — file corrupt; the next materialize rewrites it (${repair})`,
    details: { assetKey: ref.assetKey, partitionKey: ref.partitionKey, ...found },
  });
}

/** Size problem of a local file against what was recorded at write, without reading it. */
function sizeProblem(path: string, file: LakeFile): string | null {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (!stats) return 'is missing';
  if (file.size !== undefined && stats.size !== file.size) {
    return `is ${bytes(stats.size)}, ${file.size.toLocaleString('en-US')} were written`;
  }
  return null;
}

/** Whether a file starts and ends with Parquet's magic bytes (a truncated file lacks the footer). */
function magicProblem(path: string): string | null {
  const fd = openSync(path, 'r');
  try {
    const size = statSync(path).size;
    if (size < 12) return `is ${bytes(size)}, too short for a Parquet file`;
    const head = Buffer.alloc(4);
    const tail = Buffer.alloc(4);
    readSync(fd, head, 0, 4, 0);
    readSync(fd, tail, 0, 4, size - 4);
    if (head.toString('latin1') !== PARQUET_MAGIC || tail.toString('latin1') !== PARQUET_MAGIC) {
      return 'is not a complete Parquet file (no magic bytes at its start or end)';
    }
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * Verifies one local lake file against the size and SHA-256 recorded when it was committed: size
 * always (a stat), the checksum with `deep`. A file committed before sizes were recorded is checked
 * for Parquet's magic bytes instead.
 */
export async function verifyLocalLakeFile(
  path: string,
  file: LakeFile,
  depth: VerifyDepth,
): Promise<LakeFileProblem | null> {
  const bySize = sizeProblem(path, file);
  if (bySize) return { location: path, problem: bySize };
  if (file.size === undefined) {
    const byMagic = magicProblem(path);
    return byMagic ? { location: path, problem: byMagic } : null;
  }
  if (depth === 'deep' && file.sha256) {
    const actual = await hashFile(path);
    if (actual.sha256 !== file.sha256) {
      return {
        location: path,
        problem: `has SHA-256 ${actual.sha256.slice(0, 12)}…, ${file.sha256.slice(0, 12)}… was written`,
      };
    }
  }
  return null;
}

/**
 * What identifies one version of a local file without reading it: size, modification and change
 * times (nanoseconds) and inode; a file replaced by a rename gets a new inode and times. Undefined
 * when the file does not exist.
 */
export function fileIdentity(path: string): string | undefined {
  const stats = statSync(path, { throwIfNoEntry: false, bigint: true });
  return stats ? `${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}:${stats.ino}` : undefined;
}

/**
 * Remembers which local files this process has hashed and found intact, by path and identity
 * (`fileIdentity`), so a file read by many steps is hashed once per process.
 */
export class VerifiedFiles {
  readonly #verified = new Map<string, string>();
  readonly #max: number;

  constructor(max = 50_000) {
    this.#max = max;
  }

  /** Verifies `file` deeply unless this process already did for the same bytes on disk. */
  async verify(path: string, file: LakeFile): Promise<LakeFileProblem | null> {
    const identity = fileIdentity(path);
    if (identity !== undefined && this.#verified.get(path) === `${identity}:${file.sha256}`) return null;
    const problem = await verifyLocalLakeFile(path, file, 'deep');
    if (!problem && identity !== undefined) {
      if (this.#verified.size >= this.#max) this.#verified.clear();
      this.#verified.set(path, `${identity}:${file.sha256}`);
    }
    return problem;
  }
}
