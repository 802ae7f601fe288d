import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { tempHome } from '../../support/example-runtime.js';
import { jsonLines, runShopflow, spawnShopflow, writeTestConfig } from '../../support/run-shopflow.js';

// Partitions start five days before today, so the CLI (which runs on the real clock) has a few days.
const start = new Date(Date.now() - 5 * 86_400_000).toISOString().slice(0, 10);
let home: string;
let cleanup: () => void;
let config: string;
let optionsFile: string;
const cli = (args: string[], env: Record<string, string> = {}) =>
  runShopflow(['--config', config, ...args], { EXAMPLE_OPTIONS_FILE: optionsFile, ...env });

beforeAll(() => {
  ({ home, cleanup } = tempHome('shopflow-cli-'));
  config = writeTestConfig(home);
  optionsFile = join(home, 'example-options.json');
  writeFileSync(optionsFile, JSON.stringify({ start }));
});
afterAll(() => cleanup());

describe('shopflow CLI', () => {
  test('materialize runs everything, emits JSON events off a TTY, and a second run plans nothing', async () => {
    const first = await cli(['materialize']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const events = jsonLines(first.stdout);
    expect(events[0].type).toBe('run_start');
    expect(events.at(-1)!.type).toBe('run_success');
    expect(events.filter((e) => e.type === 'step_success').length).toBe(events[0].data.steps);

    const plan = await cli(['plan', '--json']);
    expect(plan.code).toBe(0);
    expect(JSON.parse(plan.stdout).steps).toEqual([]);
    const second = await cli(['materialize', '--json']);
    expect(jsonLines(second.stdout)).toEqual([expect.objectContaining({ type: 'nothing_to_do' })]);
  });

  test('assets lists every asset with its status', async () => {
    const result = await cli(['assets', '--json']);
    expect(result.code).toBe(0);
    const assets = jsonLines(result.stdout);
    expect(assets.map((a) => a.key)).toEqual([
      'notes',
      'readings',
      'daily_stats',
      'stations',
      'station_summary',
      'weekly_stats',
    ]);
    expect(assets.find((a) => a.key === 'readings')).toMatchObject({
      status: 'fresh',
      group: 'raw',
      partitions: 5,
      materialized: 5,
    });
    const table = await cli(['assets']);
    expect(table.stdout).toMatch(/readings\s+raw\s+5\/5 daily/);
  });

  test('show, checks, lineage and runs print what the store holds', async () => {
    const show = await cli(['show', 'stations', '--format', 'csv']);
    expect(show.stdout.trim().split('\n')).toEqual([
      'station_id,name,country',
      '1,North,DE',
      '2,South,FR',
      '3,East,PL',
    ]);
    const checks = await cli(['checks', 'readings', '--json']);
    expect(jsonLines(checks.stdout)).toHaveLength(5);
    const lineage = await cli(['lineage', 'station_summary', '--json']);
    const graph = JSON.parse(lineage.stdout);
    expect(graph.upstream.map((n: { key: string }) => n.key).sort()).toEqual(['daily_stats', 'stations']);
    expect(graph.read).toHaveLength(6);
    // Keys in the JSON are asset keys; an asset met again is marked, not renamed.
    const keys: string[] = [];
    const walk = (nodes: Array<{ key: string; children: unknown[] }>) => {
      for (const n of nodes) {
        keys.push(n.key);
        walk(n.children as typeof nodes);
      }
    };
    walk(graph.upstream);
    expect(keys.every((key) => /^[a-z_]+$/.test(key))).toBe(true);
    const badDay = await cli(['lineage', 'readings', '--partition', '2024-02-30']);
    expect(badDay.code).toBe(2);
    expect(badDay.stderr).toContain('2024-02-30');
    const unpartitioned = await cli(['lineage', 'stations', '--partition', '2024-01-01']);
    expect(unpartitioned.code).toBe(2);
    expect(unpartitioned.stderr).toContain('asset `stations` is not partitioned');
    const runs = await cli(['runs', '--json']);
    const [latest] = jsonLines(runs.stdout);
    expect(latest.status).toBe('success');
    const shown = await cli(['runs', 'show', latest.id.slice(0, 8)]);
    expect(shown.stdout).toContain(`Run ${latest.id}`);
  });

  test('exit code 2 for bad usage, with the fix', async () => {
    const unknown = await cli(['plan', 'sliver_stats']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('error [SF_UNKNOWN_ASSET]: unknown asset `sliver_stats`');
    const partition = await cli(['plan', 'readings', '--partition', '2024-02-30']);
    expect(partition.code).toBe(2);
    expect(partition.stderr).toContain('2024-02-30');
    const badConfig = join(home, 'bad.yaml');
    writeFileSync(badConfig, 'env: test\nexecutor:\n  concurrency: 0\n');
    const config = await runShopflow(['--config', badConfig, 'assets']);
    expect(config.code).toBe(2);
    expect(config.stderr).toContain('executor.concurrency');
    const usage = await cli(['materialize', '--concurrency', 'many']);
    expect(usage.code).toBe(2);
    // An empty partition (a script's unset "$DAY") selects nothing, it does not force everything.
    const empty = await cli(['materialize', 'readings', '--partition', '', '--force']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--partition was given an empty value');
    expect(empty.stdout).not.toContain('step_start');
    const definitions = await cli(['assets'], { SHOPFLOW_DEFINITIONS: './nope.js' });
    expect(definitions.stderr).toContain(
      'definitions module ./nope.js (from the environment variable SHOPFLOW_DEFINITIONS) does not exist',
    );
    const emptyShow = await cli(['show', 'readings', '--partition', '']);
    expect(emptyShow.code).toBe(2);
    expect(emptyShow.stderr).toContain('--partition was given an empty value');
    const limit = await cli(['runs', '--limit', 'abc']);
    expect(limit.code).toBe(2);
    expect(limit.stderr).toContain('--limit abc is not an integer of at least 1');
    const noCommand = await cli(['bogus']);
    expect(noCommand.code).toBe(2);
  });

  test('exit code 1 when a step fails; runs retry re-executes from the failure', async () => {
    writeFileSync(optionsFile, JSON.stringify({ start, failDays: [start] }));
    const failed = await cli(['materialize', 'readings+', '--force', '--partition', start]);
    expect(failed.code).toBe(1);
    const runId = jsonLines(failed.stdout)[0].runId as string;
    writeFileSync(optionsFile, JSON.stringify({ start }));
    const retried = await cli(['runs', 'retry', runId]);
    expect(retried.code).toBe(0);
    const again = await cli(['runs', 'retry', runId.slice(0, 8)]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already retried successfully');
  });

  test('SIGKILL during a step leaves the old data readable and the run is marked failed on the next start', async () => {
    const before = await cli(['show', 'station_summary', '--format', 'json']);
    const hold = join(home, 'hold');
    writeFileSync(hold, '');
    const child = spawnShopflow(['--config', config, 'materialize', 'station_summary', '--force'], {
      EXAMPLE_OPTIONS_FILE: optionsFile,
      EXAMPLE_HOLD_FILE: hold,
    });
    let out = '';
    await new Promise<void>((resolve) => {
      child.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('"step_start"')) resolve();
      });
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('close', resolve));
    rmSync(hold);
    const runId = jsonLines(out)[0].runId as string;

    const after = await cli(['show', 'station_summary', '--format', 'json']);
    expect(after.stdout).toBe(before.stdout);
    const runs = jsonLines((await cli(['runs', '--json'])).stdout);
    const killed = runs.find((r) => r.id === runId)!;
    expect(killed.status).toBe('failed');
    expect(killed.error).toMatch(/pid \d+ .* is no longer running/);
    const dir = join(home, 'lake', 'station_summary');
    expect(readdirSync(dir).filter((f) => f.startsWith('.tmp-'))).toEqual([]);
    const plan = JSON.parse((await cli(['plan', 'station_summary', '--json'])).stdout);
    expect(plan.steps[0]?.reasons.map((r: { code: string }) => r.code)).toContain('failed');
    expect(existsSync(join(dir, 'data.parquet'))).toBe(true);
    void readFileSync;
  });
});
