import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { expect, test } from 'vitest';
import { scratchFiles } from '../../../framework/index.js';
import { removeScratchFolder } from '../../../framework/io/scratch-files.js';

test('steps get paths of their own, and a dispose removes only its own files', () => {
  const first = scratchFiles();
  const second = scratchFiles();
  const a = first.path('rows.csv');
  const b = second.path('rows.csv');
  expect(a).not.toBe(b);
  expect(dirname(a)).toBe(dirname(b));
  writeFileSync(a, 'a');
  // NOTE: a file named after a scratch path (a checked copy beside a download) goes with it.
  writeFileSync(`${a}.checked.csv`, 'a');
  writeFileSync(b, 'b');

  first.dispose();

  expect(existsSync(a)).toBe(false);
  expect(existsSync(`${a}.checked.csv`)).toBe(false);
  expect(existsSync(b)).toBe(true);
  second.dispose();
  expect(existsSync(b)).toBe(false);
});

test('steps whose numbers share leading digits never share a prefix (step 3 leaves step 30’s files)', () => {
  // NOTE: 120 scratches after the few this file made before: the first one's number n has its
  // n0…n9 among the rest, so a prefix without its closing separator would remove their files too.
  const scratches = Array.from({ length: 120 }, () => scratchFiles());
  const paths = scratches.map((scratch) => scratch.path('x.csv'));
  for (const path of paths) writeFileSync(path, '');
  scratches[0].dispose();
  expect(paths.filter((path) => existsSync(path))).toEqual(paths.slice(1));
  for (const scratch of scratches) scratch.dispose();
  const folder = dirname(paths[0]);
  expect(readdirSync(folder).filter((name) => paths.some((path) => path.endsWith(name)))).toEqual([]);
});

test('a scratch folder removed while the process runs is made again', () => {
  const before = scratchFiles();
  const folder = dirname(before.path('a.csv'));
  rmSync(folder, { recursive: true, force: true });

  const after = scratchFiles();
  const path = after.path('b.csv');
  writeFileSync(path, 'b');
  expect(existsSync(path)).toBe(true);
  // NOTE: the earlier step's folder is gone; disposing it must not throw.
  expect(() => before.dispose()).not.toThrow();
  after.dispose();
  expect(existsSync(path)).toBe(false);
});

test('removing the scratch folder takes it away now, and the next step makes a new one', () => {
  const scratch = scratchFiles();
  const folder = dirname(scratch.path('a.csv'));
  expect(existsSync(folder)).toBe(true);

  removeScratchFolder();

  expect(existsSync(folder)).toBe(false);
  const next = scratchFiles().path('b.csv');
  writeFileSync(next, 'b');
  expect(dirname(next)).not.toBe(folder);
  expect(existsSync(next)).toBe(true);
  removeScratchFolder();
  expect(existsSync(dirname(next))).toBe(false);
});
