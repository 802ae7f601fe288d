import { ManifestVersionedStore } from '../manifest-versioned-store.js';
import type { ObjectStore } from '../object-store.js';
import { LocalBlobDriver } from './local-blob-driver.js';
import type { LocalObjectStoreConfig } from './local-config.js';

/**
 * The local-folder object store (the default). Layout under `path`:
 *
 * - `<key>` — the current bytes of each object, e.g. `raw/year=2024/month=01/day=15/customers/customers.csv`;
 * - `_versions/<key>.versions/<versionId>` — earlier versions (hard links where possible);
 * - `_versions/<key>.manifest.json` — every version of the key, newest first, with SHA-256 and size;
 * - `_versions/.staging/` — temporary files of writes in progress.
 *
 * @example
 * const store = createLocalObjectStore({ type: 'local', path: '.shopflow/landing' });
 * await store.put('raw/year=2024/month=01/day=15/customers/customers.csv', { file: 'data/raw/customers.csv' });
 */
export function createLocalObjectStore(config: LocalObjectStoreConfig, now?: () => Date): ObjectStore {
  return new ManifestVersionedStore('local', new LocalBlobDriver(config.path), now);
}
