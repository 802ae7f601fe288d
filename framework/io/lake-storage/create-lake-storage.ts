import { join } from 'node:path';
import type { Logger } from 'pino';
import type { LakeConfig } from '../../config/config-schema.js';
import type { LakeStorage } from './lake-storage.js';
import { createLocalLakeStorage } from './local/local-lake-storage.js';
import { createS3LakeStorage } from './s3/s3-lake-storage.js';

/**
 * The lake storage a config's `lake` section describes: a local folder (`<home>/lake` by default)
 * or an S3 bucket (staging and read cache under the home).
 *
 * @example
 * const lake = createLakeStorage(config.lake, { home: config.home, log });
 */
export function createLakeStorage(
  config: LakeConfig,
  options: {
    home: string;
    log?: Logger;
    now?: () => number;
    /** The environment variables config fields came from (`lake.bucket` → …), for errors. */
    fromEnvironment?: Readonly<Record<string, readonly string[]>>;
  },
): LakeStorage {
  return config.type === 'local'
    ? createLocalLakeStorage({ ...config, path: config.path ?? join(options.home, 'lake') })
    : createS3LakeStorage(config, options);
}
