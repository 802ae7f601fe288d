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

  test('--check fails naming every unclassified column and every lowered class without a reason', async () => {
    const dir = join(home, 'unclassified');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'test.yaml');
    writeFileSync(
      file,
      `env: test\nhome: ${dir}\ndefinitions: ${join(process.cwd(), 'tests/fixtures/unclassified-graph.ts')}\nlogging:\n  level: warn\n`,
    );
    const target = join(dir, 'docs');
    expect((await runShopflow(['--config', file, 'docs', '--out', target])).code).toBe(0);
    const check = await runShopflow(['--config', file, 'docs', '--out', target, '--check']);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('column `legacy_feed.payload` is unclassified');
    expect(check.stderr).toContain(
      'column `contacts.mailbox` declares public but inherits confidential from legacy_feed.email',
    );
    expect(check.stderr).toContain('2 columns break the classification rules');
    const dictionary = readFileSync(join(target, 'data-dictionary.md'), 'utf8');
    expect(dictionary).toContain('| `payload` | `VARCHAR` | no |   | **unclassified** |');
    // NOTE: until the lowered class gives a reason, the column keeps (and is masked by) the inherited one.
    expect(dictionary).toMatch(
      /\| `mailbox` .*\| confidential \(email\), inherited \| \[`legacy_feed`\.email\]/,
    );
  });

  test('the classes and column lineage are in the dictionary', async () => {
    const dictionary = readFileSync(join(out, 'data-dictionary.md'), 'utf8');
    expect(dictionary).toMatch(
      /\| `max_t` \| `DOUBLE` \| no \|.*\| internal, inherited \| \[`daily_stats`\.max_t\]\(#daily_stats\) \(aggregation\) \|/,
    );
  });
});
