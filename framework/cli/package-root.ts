import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The folder holding ShopFlow's package.json, whether running from source or from `dist/`. */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || dir.endsWith(`${'/'}dist`)) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the package root of shopflow');
    dir = parent;
  }
  root = dir;
  return dir;
}

/** Whether this code runs from the compiled `dist/` tree (then `.ts` modules map to `.js`). */
export function runningCompiled(): boolean {
  return import.meta.url.endsWith('.js');
}

/**
 * A file of ShopFlow's own that is found by path at run time (a worker thread's module, the web
 * page's folder), given as its source path: that path when running the TypeScript sources, its
 * twin under `dist/` when running compiled. Built code cannot look beside itself: the build bundles
 * modules into shared chunks (see scripts/build.mjs).
 *
 * @example
 * packageFile('assets/raw/simulator/clickstream-worker.ts'); // '<root>/dist/assets/raw/simulator/clickstream-worker.js' when compiled
 */
export function packageFile(sourcePath: string): string {
  if (!runningCompiled()) return join(packageRoot(), sourcePath);
  return join(packageRoot(), 'dist', sourcePath.replace(/\.ts$/, '.js'));
}
