import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LandingObject, ObjectLister } from './landing-sensor.js';

// NOTE: the local object store keeps earlier versions and its staging area under `_versions/`.
const SIDECAR = '_versions';

async function* walk(root: string, relative: string): AsyncGenerator<LandingObject> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(join(root, relative), { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.') || (relative === '' && entry.name === SIDECAR)) continue;
    const key = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) yield* walk(root, key);
    else if (entry.isFile()) {
      const stats = await stat(join(root, key));
      yield { key, lastModified: stats.mtime };
    }
  }
}

/**
 * Lists the files of a local folder as landing objects, keys relative to the folder with `/`
 * separators, sorted; hidden files and the object store's `_versions/` folder are left out.
 *
 * @example
 * landingSensor({ name: 'arrivals', prefix: 'raw/', list: localFolderLister('.shopflow/landing'), selection: 'raw_transactions+' });
 */
export function localFolderLister(root: string): ObjectLister {
  return async function* list(prefix: string) {
    // NOTE: walk only the folder the prefix names, then filter by the full prefix.
    const slash = prefix.lastIndexOf('/');
    const folder = slash >= 0 ? prefix.slice(0, slash) : '';
    for await (const object of walk(root, folder)) {
      if (object.key.startsWith(prefix)) yield object;
    }
  };
}
