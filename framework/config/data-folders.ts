import { join, resolve } from 'node:path';
import type { ShopflowConfig } from './config-schema.js';

/** The runtime data folders of a configuration, as absolute paths. */
export interface DataFolders {
  /** Source extracts (`data.rawDir`). */
  rawDir: string;
  /** `validation.log` and other run logs (`data.logsDir`). */
  logsDir: string;
}

/**
 * The data folders of a configuration: the `data.*` paths it sets, else `<home>/raw` and
 * `<home>/logs`, so everything a home writes lives under it and two homes never share a file.
 *
 * @example
 * dataFolders({ home: '/srv/shopflow', data: {} }); // { rawDir: '/srv/shopflow/raw', logsDir: '/srv/shopflow/logs' }
 */
export function dataFolders(config: Pick<ShopflowConfig, 'home' | 'data'>): DataFolders {
  return {
    rawDir: resolve(config.data.rawDir ?? join(config.home, 'raw')),
    logsDir: resolve(config.data.logsDir ?? join(config.home, 'logs')),
  };
}
