import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The nearest folder at or above `start` (a file URL or path) that holds a `package.json`. Source
 * files (`resources/postgres/x.ts`) and built files (`dist/resources/postgres/x.js`) both resolve to
 * the package root, because `dist/` has no `package.json` of its own.
 *
 * @example
 * findPackageRoot(import.meta.url); // '/…/shopflow'
 */
export function findPackageRoot(start: string | URL = import.meta.url): string {
  const startPath = start instanceof URL || start.startsWith('file:') ? fileURLToPath(start) : start;
  let dir = dirname(startPath);
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${startPath}`);
    dir = parent;
  }
}

/**
 * A path inside the package's `sql/` folder, found at run time from source and from `dist/` alike.
 *
 * @example
 * sqlDirectory('ddl'); // '<package root>/sql/ddl'
 */
export function sqlDirectory(...segments: string[]): string {
  return join(findPackageRoot(import.meta.url), 'sql', ...segments);
}
