import type { PartitionRef } from './lake-storage.js';

/** The folder, inside the lake, of the symlink manifests query engines read lake tables through. */
export const SYMLINK_ROOT = '_symlinks';

/**
 * Where the symlink manifest of one partition lives, relative to the lake's root:
 * `_symlinks/<asset>/partition=<key>/manifest` (unpartitioned: `_symlinks/<asset>/manifest`). Its
 * lines are the locations of exactly the Parquet files of the partition's committed version (Hive's
 * `SymlinkTextInputFormat`, which Athena and Glue read).
 *
 * @example
 * symlinkManifestPath({ assetKey: 'orders', partitionKey: '2024-01-15' }); // '_symlinks/orders/partition=2024-01-15/manifest'
 */
export function symlinkManifestPath(ref: PartitionRef): string {
  return `${SYMLINK_ROOT}/${ref.assetKey}/${ref.partitionKey === null ? '' : `partition=${ref.partitionKey}/`}manifest`;
}
