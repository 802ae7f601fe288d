import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { tempHome } from '../../support/example-runtime.js';
import { runShopflow, writeTestConfig } from '../../support/run-shopflow.js';

// Partitions start three days before today, so the CLI (which runs on the real clock) has a few days.
const start = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
let home: string;
let cleanup: () => void;
let config: string;
let optionsFile: string;
const cli = (args: string[]) =>
  runShopflow(['--config', config, ...args], { EXAMPLE_OPTIONS_FILE: optionsFile });

beforeAll(async () => {
  ({ home, cleanup } = tempHome('shopflow-report-cli-'));
  config = writeTestConfig(home);
  optionsFile = join(home, 'example-options.json');
  writeFileSync(optionsFile, JSON.stringify({ start }));
  expect((await cli(['materialize'])).code).toBe(0);
  writeFileSync(optionsFile, JSON.stringify({ start, badDays: [start] }));
  expect((await cli(['materialize', 'readings', '--partition', start, '--force'])).code).toBe(1);
});
afterAll(() => cleanup());

describe('shopflow checks --report', () => {
  test('writes a self-contained HTML report atomically and summarizes it', async () => {
    const file = join(home, 'reports', 'quality.html');
    const result = await cli(['checks', '--report', file, '--runs', '5']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /Wrote the quality report to .*quality\.html: 2 assets, .* 1 blocking failure; trends over 2 runs\./,
    );
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('id="asset-readings"');
    expect(html).toContain(`readings[${start}]`);
    expect(html).toContain('class="chart strip"');
    expect(html).not.toMatch(/<script|<link|src=/i);
    // only the report is left in the folder: the temporary file was renamed over it
    expect(readdirSync(join(home, 'reports'))).toEqual(['quality.html']);
  });

  test('--json prints the report data; a .json file holds the same data', async () => {
    const file = join(home, 'quality.json');
    const result = await cli(['checks', 'readings', '--report', file, '--json']);
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout);
    expect(printed.file).toContain('quality.json');
    expect(printed.assets.map((a: { assetKey: string }) => a.assetKey)).toEqual(['readings']);
    expect(printed.assets[0].checks[0]).toMatchObject({
      name: 'temperature_plausible',
      counts: { fail: 1 },
      failingRows: 3,
    });
    expect(printed.assets[0].checks[0].trend.map((p: { outcome: string }) => p.outcome)).toEqual([
      'pass',
      'fail',
    ]);
    const { file: _file, ...data } = printed;
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(data);
  });

  test('bad --runs and unknown assets are usage errors', async () => {
    const runs = await cli(['checks', '--report', join(home, 'x.html'), '--runs', '0']);
    expect(runs.code).toBe(2);
    expect(runs.stderr).toContain('--runs `0`');
    const asset = await cli(['checks', 'reading', '--report', join(home, 'x.html')]);
    expect(asset.code).toBe(2);
    expect(asset.stderr).toContain('did you mean `readings`?');
  });

  test('--include-pii needs the environment to allow clear values, and is audited', async () => {
    const file = join(home, 'with-pii.html');
    const refused = await cli(['checks', '--report', file, '--include-pii']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('SHOPFLOW_ALLOW_UNMASK=true');
    expect(existsSync(file)).toBe(false);
    const allowed = await runShopflow(['--config', config, 'checks', '--report', file, '--include-pii'], {
      EXAMPLE_OPTIONS_FILE: optionsFile,
      SHOPFLOW_ALLOW_UNMASK: 'true',
    });
    expect(allowed.code, allowed.stderr).toBe(0);
    const audit = readFileSync(join(home, 'logs', 'unmask-audit.log'), 'utf8')
      .trim()
      .split('\n');
    expect(JSON.parse(audit.at(-1)!)).toMatchObject({
      asset: '*',
      via: 'shopflow checks --report --include-pii',
    });
  });
});
