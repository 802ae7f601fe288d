import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { tempHome } from '../../support/example-runtime.js';
import { type FaultyProxy, type ProxiedRequest, startFaultyProxy } from '../../support/faulty-proxy.js';
import { jsonLines, runShopflow, spawnShopflow, writeTestConfig } from '../../support/run-shopflow.js';
import { LAKE_BACKENDS, TestLakes } from '../../support/test-lakes.js';

const lakes = new TestLakes();
let proxy: FaultyProxy;
// Partitions start three days before today: the CLI runs on the real clock.
const start = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  proxy = await startFaultyProxy((await lakes.s3()).endpoint);
});
afterAll(async () => {
  await proxy.stop();
  await lakes.stop();
});

for (const backend of LAKE_BACKENDS) {
  describe(`the CLI on a ${backend} lake`, () => {
    const { home, cleanup } = tempHome('shopflow-lake-cli-');
    let config: string;
    let lake: Record<string, unknown>;
    const optionsFile = join(home, 'example-options.json');
    const cli = (args: string[], env: Record<string, string> = {}) =>
      runShopflow(['--config', config, ...args], { EXAMPLE_OPTIONS_FILE: optionsFile, ...env });

    beforeAll(async () => {
      lake = await lakes.section(backend, home, backend === 's3' ? { endpoint: proxy.endpoint } : {});
      config = writeTestConfig(home, stringify({ lake }));
      writeFileSync(optionsFile, JSON.stringify({ start }));
    });
    afterAll(() => cleanup());

    test('materialize, show, compact and sweep work on the lake', async () => {
      const run = await cli(['materialize', '--json']);
      expect(run.code, run.stderr).toBe(0);
      const shown = await cli(['show', 'daily_stats', '--partition', start, '--format', 'json']);
      expect(shown.code, shown.stderr).toBe(0);
      expect(jsonLines(shown.stdout).map((r) => r.station_id)).toEqual(['1', '2', '3']);
      const summary = await cli(['show', 'station_summary']);
      expect(summary.stdout).toMatch(/North/);
      const none = await cli(['show', 'station_summary', '--quarantine']);
      expect(none.code).toBe(2);
      expect(none.stderr).toContain('has no quarantined rows');
      const compacted = await cli(['compact', 'readings', '--json']);
      expect(compacted.code, compacted.stderr).toBe(0);
      expect(jsonLines(compacted.stdout).map((r) => r.filesAfter)).toEqual([1, 1, 1]);
      expect(String(jsonLines(compacted.stdout)[0].location)).toContain(
        backend === 's3' ? `s3://lake/${lake.prefix}readings/partition=` : join(home, 'lake', 'readings'),
      );
      const swept = await cli(['sweep', '--json']);
      expect(swept.code, swept.stderr).toBe(0);
      expect(jsonLines(swept.stdout).every((r) => r.files === 0)).toBe(true);
    });

    test('SIGKILL in the middle of a write leaves the old version readable; a sweep removes the leftovers', async () => {
      const before = await cli(['show', 'station_summary', '--format', 'json']);
      expect(before.code).toBe(0);
      const hold = join(home, 'hold');
      const isManifestPut = (r: ProxiedRequest) =>
        r.method === 'PUT' && r.path.endsWith('/station_summary/_manifest.json');
      const env: Record<string, string> = { EXAMPLE_OPTIONS_FILE: optionsFile };
      if (backend === 's3') {
        // The data is uploaded; the manifest PUT that would publish it never gets an answer.
        proxy.reset();
        proxy.addRule({ match: isManifestPut, action: 'stall' });
      } else {
        writeFileSync(hold, '');
        env.EXAMPLE_HOLD_FILE = hold;
      }
      const child = spawnShopflow(
        ['--config', config, 'materialize', 'station_summary', '--force', '--json'],
        env,
      );
      let out = '';
      child.stdout!.on('data', (d) => {
        out += d;
      });
      const deadline = Date.now() + 60_000;
      while (
        Date.now() < deadline &&
        !(backend === 's3' ? proxy.count(isManifestPut) > 0 : out.includes('"step_start"'))
      ) {
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill('SIGKILL');
      await new Promise((resolve) => child.on('close', resolve));
      proxy.reset();
      rmSync(hold, { force: true });

      const after = await cli(['show', 'station_summary', '--format', 'json']);
      expect(after.stdout).toBe(before.stdout);
      const runId = jsonLines(out)[0].runId as string;
      const runs = jsonLines((await cli(['runs', '--json'])).stdout);
      expect(runs.find((r) => r.id === runId)!.status).toBe('failed');
      // S3: the killed write's object is an orphan, kept through the grace period, removed by a sweep.
      const dry = jsonLines(
        (await cli(['sweep', 'station_summary', '--older-than', '0', '--dry-run', '--json'])).stdout,
      );
      expect(dry[0].files).toBe(backend === 's3' ? 1 : 0);
      if (backend === 's3') expect(dry[0].removed[0]).toMatch(new RegExp(`station_summary/data-${runId}-`));
      const graced = jsonLines((await cli(['sweep', 'station_summary', '--json'])).stdout);
      expect(graced[0].files).toBe(0);
      const swept = await cli(['sweep', 'station_summary', '--older-than', '0']);
      expect(swept.stdout).toContain(`removed ${backend === 's3' ? 1 : 0} unreferenced lake file`);
      expect((await cli(['show', 'station_summary', '--format', 'json'])).stdout).toBe(before.stdout);
      const again = await cli(['materialize', 'station_summary', '--json']);
      expect(again.code, again.stderr).toBe(0);
    });
  });
}
