import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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

  // Clear values need the environment's permission; each unmasked read is audited, values never.
  const refused = await cli(['show', 'stations', '--unmask', '--format', 'csv']);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain('[SF_UNMASK_NOT_ALLOWED]');
  expect(refused.stdout).not.toContain('North');
  const audit = join(home.home, 'logs', 'unmask-audit.log');
  expect(existsSync(audit)).toBe(false);
  const unmasked = await runShopflow(
    ['--config', config, 'show', 'stations', '--unmask', '--format', 'csv'],
    {
      EXAMPLE_OPTIONS_FILE: optionsFile,
      SHOPFLOW_ALLOW_UNMASK: 'true',
      SHOPFLOW_ACTOR: 'analyst@example.com',
    },
  );
  expect(unmasked.code, unmasked.stderr).toBe(0);
  expect(unmasked.stdout.split('\n').slice(1, 4)).toEqual(['1,North,DE', '2,South,FR', '3,East,PL']);
  const lines = readFileSync(audit, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(lines).toEqual([
    {
      ts: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      actor: 'analyst@example.com',
      asset: 'stations',
      partition: null,
      columns: ['name'],
      rows: 3,
      via: 'shopflow show',
    },
  ]);
  expect(readFileSync(audit, 'utf8')).not.toContain('North');
  expect(statSync(audit).mode & 0o777).toBe(0o600);
});

test('a column that inherits personal data through its SQL is masked too, though its schema declares nothing', async () => {
  // station_summary.name is `s.name` of stations: declared nowhere on station_summary, inherited.
  const start = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
  writeFileSync(optionsFile, JSON.stringify({ piiNames: true, start }));
  expect((await cli(['materialize', '+station_summary'])).code).toBe(0);
  const csv = await cli(['show', 'station_summary', '--format', 'csv']);
  expect(csv.code, csv.stderr).toBe(0);
  const rows = csv.stdout.trim().split('\n').slice(1);
  expect(rows).toHaveLength(3);
  for (const row of rows) expect(row.startsWith(`${PII_MASK},`)).toBe(true);
  expect(csv.stdout).not.toMatch(/North|South|East/);
});
