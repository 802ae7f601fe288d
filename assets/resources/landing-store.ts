import { join } from 'node:path';
import { defineResource } from '../../framework/index.js';
import { createObjectStore } from '../../resources/object-store/create-object-store.js';
import type { ObjectStore } from '../../resources/object-store/object-store.js';
import { parseObjectStoreConfig } from '../../resources/object-store/object-store-config.js';

/**
 * The raw landing zone (`resources.objectStore`): a local folder (`<home>/landing` unless `path` is
 * set) or an S3 bucket, with the same key layout on both.
 */
export const landingStore = defineResource<ObjectStore, unknown>({
  name: 'objectStore',
  create({ config, home }) {
    const raw = (config ?? { type: 'local' }) as Record<string, unknown>;
    const withPath = raw.type === 'local' && !raw.path ? { ...raw, path: join(home, 'landing') } : raw;
    return createObjectStore(parseObjectStoreConfig(withPath, 'resources.objectStore'));
  },
  dispose: (store) => store.close(),
});
