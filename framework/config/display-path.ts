import { isAbsolute, relative } from 'node:path';

/**
 * A file path as shown in messages: relative to `cwd` when inside it (`config/dev.yaml`), else
 * absolute.
 *
 * @example
 * displayPath('/srv/shop/config/prod.yaml', '/srv/shop'); // 'config/prod.yaml'
 */
export function displayPath(path: string, cwd: string = process.cwd()): string {
  const shown = relative(cwd, path);
  return shown === '' || shown.startsWith('..') || isAbsolute(shown) ? path : shown;
}
