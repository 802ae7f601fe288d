import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { displayPath } from '../config/display-path.js';
import type { Definitions } from '../definitions/define-definitions.js';
import { didYouMean } from '../errors/did-you-mean.js';
import { ShopflowError } from '../errors/error-catalog.js';

/**
 * Reads the hand-written notes merged into the data dictionary: every `<asset>.md` in `dir` (e.g.
 * `docs/dictionary-notes/customer_clv.md`). A missing folder means no notes; a note whose name is
 * not an asset is an `SF_INPUT_INVALID` error, so a renamed asset never silently loses its notes.
 *
 * @example
 * const notes = readDictionaryNotes('docs/dictionary-notes', definitions, { cwd: process.cwd() });
 */
export function readDictionaryNotes(
  dir: string,
  definitions: Definitions,
  options: { cwd?: string } = {},
): Record<string, string> {
  if (!existsSync(dir)) return {};
  const notes: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.md')) continue;
    const key = name.slice(0, -'.md'.length);
    if (!definitions.graph.has(key)) {
      throw new ShopflowError(
        'SF_INPUT_INVALID',
        `dictionary note ${displayPath(join(dir, name), options.cwd)} is named after \`${key}\`, which is not an asset`,
        {
          hint:
            didYouMean(key, definitions.graph.keys) ??
            'name the file after an asset key (`shopflow assets` lists them) or delete it',
        },
      );
    }
    notes[key] = readFileSync(join(dir, name), 'utf8');
  }
  return notes;
}
