/**
 * The framework and the ShopFlow definitions a benchmark runs: the built product in dist/ — the
 * code `shopflow` runs — or, with `source`, the TypeScript sources.
 *
 * Why the built product: under tsx every module a run loads lazily (the instance store with
 * Kysely, DuckDB's bindings, the PostgreSQL driver, the simulator) goes through the TypeScript
 * loader's hooks one at a time; opening a runtime took 0.38–0.50 s there against about 10 ms once
 * loaded, a cost the built CLI, which loads a few bundled chunks, does not pay.
 *
 * Refuses a dist/ older than the sources, which would measure other code than the checkout's.
 *
 * @example
 * const { framework, definitions } = await productCode(false);
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type shopflow from '../assets/definitions.js';

type Framework = typeof import('../framework/index.js');

const REPO = resolve(import.meta.dirname, '..');
const PRODUCT: string[] = JSON.parse(readFileSync(join(REPO, 'scripts', 'product-folders.json'), 'utf8'));

function newestSource(dir: string): { path: string; ms: number } {
  let newest = { path: dir, ms: 0 };
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    const found = stat.isDirectory()
      ? newestSource(path)
      : name.endsWith('.ts') && !name.endsWith('.test.ts')
        ? { path, ms: stat.mtimeMs }
        : newest;
    if (found.ms > newest.ms) newest = found;
  }
  return newest;
}

export async function productCode(
  source: boolean,
): Promise<{ framework: Framework; definitions: typeof shopflow }> {
  const root = source ? REPO : join(REPO, 'dist');
  if (!source) {
    const built = join(root, 'framework', 'index.js');
    if (!existsSync(built))
      throw new Error('dist/ is missing: run `node scripts/build.mjs` (or pass --source)');
    const builtMs = statSync(built).mtimeMs;
    const newest = PRODUCT.map((folder) => newestSource(join(REPO, folder))).sort((a, b) => b.ms - a.ms)[0];
    if (newest.ms > builtMs) {
      throw new Error(
        `dist/ is older than ${newest.path.slice(REPO.length + 1)}: run \`node scripts/build.mjs\` (or pass --source)`,
      );
    }
  }
  const extension = source ? 'ts' : 'js';
  const framework = (await import(join(root, 'framework', `index.${extension}`))) as Framework;
  const definitions = (
    (await import(join(root, 'assets', `definitions.${extension}`))) as { default: typeof shopflow }
  ).default;
  return { framework, definitions };
}
