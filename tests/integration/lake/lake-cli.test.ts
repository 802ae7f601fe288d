import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
      // A written partition whose last write quarantined nothing shows no rows, not an error.
      const none = await cli(['show', 'station_summary', '--quarantine']);
      expect(none.code, none.stderr).toBe(0);
      expect(none.stdout).toContain('(no quarantined rows: the last write quarantined nothing)');
      expect(none.stdout).toMatch(/^name +max_t/);
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

    test('compact checks its partition flag as plan does', async () => {
      // A key the calendar does not have yet: an error, as plan says, not "0 of 0 compacted".
      const future = await cli(['compact', 'readings', '--partition', '2999-01-01']);
      expect(future.code).toBe(2);
      expect(future.stderr).toContain('SF_BAD_PARTITION');
      expect(future.stdout).toBe('');
      const plan = await cli(['plan', 'readings', '--partition', '2999-01-01']);
      expect(plan.code).toBe(2);
      expect(plan.stderr).toContain('SF_BAD_PARTITION');
      // A partition of an unpartitioned table: an error, not the whole table.
      const unpartitioned = await cli(['compact', 'station_summary', '--partition', start]);
      expect(unpartitioned.code).toBe(2);
      expect(unpartitioned.stderr).toContain('no selected asset is partitioned');
      const reversed = await cli(['compact', '--from', start, '--to', '2000-01-01']);
      expect(reversed.code).toBe(2);
      expect(reversed.stderr).toContain('SF_BAD_PARTITION_RANGE');
      // With a partition flag, only the partitions it selects, of the partitioned tables.
      const one = await cli(['compact', '--partition', start, '--json']);
      expect(one.code, one.stderr).toBe(0);
      const keys = jsonLines(one.stdout).map((r) => String(r.key));
      expect(keys).toContain(`readings[${start}]`);
      expect(keys.filter((k) => !k.includes('['))).toEqual([]);
    });

    test('SIGKILL in the middle of a write leaves the old version readable; a sweep removes the leftovers', async () => {
      // S3: a new version of readings[start] is uploaded, but the manifest PUT that would publish it
      // never gets an answer. Local: station_summary is held inside its step.
      const target = backend === 's3' ? ['readings', '--partition', start] : ['station_summary'];
      const show = () => cli(['show', ...target, '--format', 'json']);
      const before = await show();
      expect(before.code).toBe(0);
      const hold = join(home, 'hold');
      const isManifestPut = (r: ProxiedRequest) =>
        r.method === 'PUT' && r.path.endsWith(`/readings/partition=${start}/_manifest.json`);
      const killedOptions = join(home, 'killed-options.json');
      writeFileSync(killedOptions, JSON.stringify({ start, readingScale: 2 }));
      const env: Record<string, string> = { EXAMPLE_OPTIONS_FILE: killedOptions };
      if (backend === 's3') {
        proxy.reset();
        proxy.addRule({ match: isManifestPut, action: 'stall' });
      } else {
        writeFileSync(hold, '');
        env.EXAMPLE_HOLD_FILE = hold;
      }
      const child = spawnShopflow(['--config', config, 'materialize', ...target, '--force', '--json'], env);
      let out = '';
      child.stdout!.on('data', (d) => {
        out += d;
      });
      const closed = new Promise((resolve) => child.on('close', resolve));
      const reached = () =>
        backend === 's3' ? proxy.count(isManifestPut) > 0 : out.includes('"step_start"');
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && child.exitCode === null && !reached()) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(reached()).toBe(true);
      // While the write is in progress, a sweep below the grace period refuses to touch the lake.
      const refused = await cli(['sweep', '--older-than', '0']);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/below the grace period \(60 min\) while a run is in progress/);
      child.kill('SIGKILL');
      await closed;
      proxy.reset();
      rmSync(hold, { force: true });

      expect((await show()).stdout).toBe(before.stdout);
      const runId = jsonLines(out)[0].runId as string;
      const runs = jsonLines((await cli(['runs', '--json'])).stdout);
      expect(runs.find((r) => r.id === runId)!.status).toBe('failed');
      // S3: the killed write's object is an orphan, kept through the grace period, removed by a sweep.
      const asset = target[0];
      const dry = jsonLines((await cli(['sweep', asset, '--older-than', '0', '--dry-run', '--json'])).stdout);
      expect(dry[0].files).toBe(backend === 's3' ? 1 : 0);
      if (backend === 's3') {
        expect(dry[0].removed[0]).toMatch(new RegExp(`/readings/partition=${start}/data-${runId}-`));
        // The text of a dry run names the files too.
        const listed = await cli(['sweep', asset, '--older-than', '0', '--dry-run']);
        expect(listed.stdout).toContain(`  ${dry[0].removed[0]}\n`);
        expect(listed.stdout).toContain('would remove 1 unreferenced lake file');
      }
      const graced = jsonLines((await cli(['sweep', asset, '--json'])).stdout);
      expect(graced[0].files).toBe(0);
      const swept = await cli(['sweep', asset, '--older-than', '0']);
      expect(swept.stdout).toContain(`removed ${backend === 's3' ? 1 : 0} unreferenced lake file`);
      expect((await show()).stdout).toBe(before.stdout);
      const staging = join(home, 'tmp', 'lake-staging');
      const killedStaging = () =>
        existsSync(staging) ? readdirSync(staging).filter((n) => n.startsWith(`${child.pid}-`)) : [];
      expect(killedStaging()).toHaveLength(backend === 's3' ? 1 : 0);
      const again = await cli(['materialize', asset, '--json']);
      expect(again.code, again.stderr).toBe(0);
      // The next write on this machine removes the staging files the killed process left.
      expect(killedStaging()).toEqual([]);
    });
  });
}
