import type { ObjectStore } from './object-store.js';

/**
 * The fingerprint of every current object under `prefix`, by key, from one listing (S3: one
 * request per thousand keys). An object listed without one (a store that cannot tell) is left out,
 * so a caller falls back to asking for it by key.
 *
 * @example
 * const listed = await listedFingerprints(store, 'raw/year=2024/month=01/');
 * listed.get('raw/year=2024/month=01/day=15/customers/customers.csv'); // '9b2cf5…' (S3 ETag)
 */
export async function listedFingerprints(store: ObjectStore, prefix: string): Promise<Map<string, string>> {
  const fingerprints = new Map<string, string>();
  for await (const info of store.list(prefix)) {
    if (info.fingerprint !== undefined) fingerprints.set(info.key, info.fingerprint);
  }
  return fingerprints;
}
