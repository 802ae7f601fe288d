import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { ERROR_CATALOG } from '../../../framework/index.js';

const runbook = readFileSync(join(import.meta.dirname, '../../../docs/runbook.md'), 'utf8');

/** The codes in the first column of the runbook's "Error codes" table, with their exit codes. */
function documentedCodes(): Map<string, number> {
  const section = runbook.split(/^## Error codes$/m)[1]?.split(/^## /m)[0] ?? '';
  const rows = new Map<string, number>();
  for (const match of section.matchAll(/^\| `(SF_[A-Z_]+)` \| (\d) \|/gm))
    rows.set(match[1], Number(match[2]));
  return rows;
}

test('every error code of the catalog has a runbook entry with its exit code', () => {
  const documented = documentedCodes();
  const missing = Object.keys(ERROR_CATALOG).filter((code) => !documented.has(code));
  expect(missing, 'codes without a row in docs/runbook.md § Error codes').toEqual([]);
  for (const [code, entry] of Object.entries(ERROR_CATALOG)) {
    expect(documented.get(code), `exit code of ${code} in the runbook`).toBe(entry.exitCode);
  }
});

test('the runbook documents no code the catalog lacks', () => {
  const unknown = [...documentedCodes().keys()].filter((code) => !(code in ERROR_CATALOG));
  expect(unknown).toEqual([]);
});
