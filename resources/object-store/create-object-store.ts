import { createLocalObjectStore } from './local/local-object-store.js';
import type { ObjectStore } from './object-store.js';
import { type ObjectStoreConfig, parseObjectStoreConfig } from './object-store-config.js';
import { createS3ObjectStore } from './s3/s3-object-store.js';

/**
 * Creates the object store a config describes. The config is validated first (`SF_CONFIG_INVALID`
 * names the bad field); retry hooks (`sleep`, `random`, `onRetry`) pass through untouched.
 *
 * @example
 * const local = createObjectStore({ type: 'local', path: '.shopflow/landing' });
 * const s3 = createObjectStore({ type: 's3', bucket: 'shopflow-landing', prefix: 'prod', region: 'eu-west-1' });
 */
export function createObjectStore(config: ObjectStoreConfig): ObjectStore {
  const { retry, ...rest } = config as ObjectStoreConfig & { retry?: Record<string, unknown> };
  const numbers =
    retry === undefined
      ? undefined
      : Object.fromEntries(
          Object.entries(retry).filter(([name]) => !['sleep', 'random', 'onRetry'].includes(name)),
        );
  parseObjectStoreConfig(numbers === undefined ? rest : { ...rest, retry: numbers });
  return config.type === 'local' ? createLocalObjectStore(config) : createS3ObjectStore(config);
}
