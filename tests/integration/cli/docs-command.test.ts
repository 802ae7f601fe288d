import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { tempHome } from '../../support/example-runtime.js';
import { runShopflow, writeTestConfig } from '../../support/run-shopflow.js';

let home: string;
let cleanup: () => void;
let config: string;
let out: string;
const docs = (args: string[]) => runShopflow(['--config', config, 'docs', '--out', out, ...args]);

beforeAll(() => {
  ({ home, cleanup } = tempHome('shopflow-docs-'));
  config = writeTestConfig(home);
  out = join(home, 'docs');
});
afterAll(() => cleanup());

describe('shopflow docs', () => {
  test('writes the data dictionary and the lineage chart; --check passes while they are current', async () => {
    const missing = await docs(['--check']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('data-dictionary.md is missing');
    expect(missing.stderr).toContain('lineage.md is missing');
    expect(existsSync(out)).toBe(false);

    const written = await docs([]);
    expect(written.stderr).toBe('');
    expect(written.code).toBe(0);
    expect(written.stdout).toMatch(/data-dictionary\.md: written/);
    expect(readdirSync(out).sort()).toEqual(['data-dictionary.md', 'lineage.md']);
    expect(readFileSync(join(out, 'data-dictionary.md'), 'utf8')).toContain('## `readings`');
    expect(readFileSync(join(out, 'lineage.md'), 'utf8')).toContain('a_readings --> a_daily_stats');

    const current = await docs(['--check']);
    expect(current.code).toBe(0);
    expect(current.stdout).toMatch(/lineage\.md: up to date/);
    const again = await docs([]);
    expect(again.stdout).toMatch(/data-dictionary\.md: up to date/);
  });

  test('--check exits 1 naming an edited file and leaves it as it was', async () => {
    const file = join(out, 'lineage.md');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, `${original}\nhand edit\n`);
    const stale = await docs(['--check', '--json']);
    expect(stale.code).toBe(1);
    expect(JSON.parse(stale.stdout)).toMatchObject({
      check: true,
      upToDate: false,
      files: [
        { file: expect.stringContaining('data-dictionary.md'), state: 'unchanged' },
        { file: expect.stringContaining('lineage.md'), state: 'out_of_date' },
      ],
    });
    expect(readFileSync(file, 'utf8')).toBe(`${original}\nhand edit\n`);
    expect((await docs([])).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(original);
  });

  test('notes in dictionary-notes/<asset>.md are merged in; a note for no asset is an error', async () => {
    const notes = join(out, 'dictionary-notes');
    mkdirSync(notes);
    writeFileSync(join(notes, 'readings.md'), '### Units\n\nDegrees Celsius.\n');
    const stale = await docs(['--check']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('data-dictionary.md is out of date');
    expect((await docs([])).code).toBe(0);
    expect(readFileSync(join(out, 'data-dictionary.md'), 'utf8')).toContain('### Units\n\nDegrees Celsius.');

    writeFileSync(join(notes, 'reading.md'), 'typo');
    const typo = await docs([]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('error [SF_INPUT_INVALID]');
    expect(typo.stderr).toContain('did you mean `readings`?');
    rmSync(join(notes, 'reading.md'));
  });
});
