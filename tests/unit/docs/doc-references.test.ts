import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import definitions from '../../../assets/definitions.js';
import { schemaColumns } from '../../../framework/index.js';
import { REPO } from '../../support/run-shopflow.js';

test('every docs page an asset or column description names exists', () => {
  const named = new Map<string, string>();
  for (const asset of definitions.graph.assets) {
    const texts = [asset.description, ...schemaColumns(asset.schema).map((c) => c.description ?? '')];
    for (const text of texts)
      for (const [page] of text.matchAll(/docs\/[\w./-]+\.md/g)) named.set(page, asset.key);
  }
  // NOTE: the CLV model's description points at its notes in the data dictionary, for one.
  expect(named.get('docs/data-dictionary.md')).toBeDefined();
  for (const [page, asset] of named)
    expect(existsSync(join(REPO, page)), `${page}, named by ${asset}`).toBe(true);
});
