import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { PII_MASK } from '../../../framework/index.js';
import { tempHome } from '../../support/example-runtime.js';
import { jsonLines, runShopflow, writeTestConfig } from '../../support/run-shopflow.js';

let home: ReturnType<typeof tempHome>;
let config: string;
let optionsFile: string;
const cli = (args: string[]) =>
  runShopflow(['--config', config, ...args], { EXAMPLE_OPTIONS_FILE: optionsFile });

beforeAll(async () => {
  home = tempHome('shopflow-show-');
  config = writeTestConfig(home.home);
  optionsFile = join(home.home, 'example-options.json');
  // station names are declared personal data in this run of the example graph
  writeFileSync(
    optionsFile,
    JSON.stringify({ piiNames: true, start: new Date().toISOString().slice(0, 10) }),
  );
  expect((await cli(['materialize', 'stations'])).code).toBe(0);
});
afterAll(() => home?.cleanup());

test('shopflow show masks columns classified as personal data in every format unless --unmask', async () => {
  const table = await cli(['show', 'stations']);
  expect(table.code, table.stderr).toBe(0);
  expect(table.stdout).toContain(PII_MASK);
  expect(table.stdout).not.toContain('North');
  expect(table.stdout).toContain('name: personal data, masked; --unmask shows the values');
  const csv = await cli(['show', 'stations', '--format', 'csv']);
  expect(csv.stdout.split('\n')[1]).toBe(`1,${PII_MASK},DE`);
  const json = await cli(['show', 'stations', '--format', 'json']);
  expect(jsonLines(json.stdout).map((r) => r.name)).toEqual([PII_MASK, PII_MASK, PII_MASK]);

  const unmasked = await cli(['show', 'stations', '--unmask', '--format', 'csv']);
  expect(unmasked.code).toBe(0);
  expect(unmasked.stdout.split('\n').slice(1, 4)).toEqual(['1,North,DE', '2,South,FR', '3,East,PL']);
});
