import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Definitions } from '../definitions/define-definitions.js';
import { ShopflowError } from '../errors/error-catalog.js';
import { packageRoot, runningCompiled } from './package-root.js';

/** The ShopFlow pipeline, used when neither `--definitions` nor the config names a module. */
export const DEFAULT_DEFINITIONS = 'assets/definitions.ts';

/**
 * Imports the module that exports the definitions (as `default` or `definitions`). A `.ts` path is
 * mapped to its compiled twin under `dist/` when running compiled code.
 */
export async function loadDefinitions(
  modulePath: string | undefined,
  cwd: string,
  /** Where `modulePath` was given (`--definitions`, `SHOPFLOW_DEFINITIONS`, the config file), for errors. */
  origin?: string,
): Promise<Definitions> {
  const requested = modulePath ?? DEFAULT_DEFINITIONS;
  const base = modulePath ? cwd : packageRoot();
  let file = isAbsolute(requested) ? requested : resolve(base, requested);
  if (runningCompiled() && file.endsWith('.ts')) {
    const root = packageRoot();
    const rel = relative(root, file);
    const compiled = join(root, 'dist', rel.replace(/\.ts$/, '.js'));
    if (!rel.startsWith('..') && existsSync(compiled)) file = compiled;
  }
  if (!existsSync(file)) {
    throw new ShopflowError(
      'SF_DEFINITIONS_NOT_FOUND',
      `definitions module ${requested}${origin ? ` (from ${origin})` : ''} does not exist (looked at ${file})`,
      {
        hint: origin
          ? `correct ${origin}, or remove it to load the ShopFlow pipeline`
          : 'pass --definitions FILE or set `definitions:` in the config file; run `npm run build` if dist/ is missing',
      },
    );
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof ShopflowError) throw error;
    throw new ShopflowError(
      'SF_DEFINITIONS_NOT_FOUND',
      `definitions module ${requested}${origin ? ` (from ${origin})` : ''} failed to load: ${(error as Error).message}`,
      {
        cause: error,
        hint: 'fix the error in that module',
      },
    );
  }
  const definitions = (mod.default ?? mod.definitions) as Definitions | undefined;
  if (!definitions?.graph) {
    throw new ShopflowError('SF_DEFINITIONS_NOT_FOUND', `module ${requested} exports no definitions`, {
      hint: 'export default defineDefinitions({ assets: [...] })',
    });
  }
  return definitions;
}
