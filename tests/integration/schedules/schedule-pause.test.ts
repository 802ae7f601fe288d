import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { openInstanceStore, type SensorDefinition, setPaused } from '../../../framework/index.js';
import {
  defineSchedule,
  defineSensor,
  ShopflowDaemon,
  scheduleSinceCheckpoint,
} from '../../../schedules/index.js';
import { exampleDefinitions } from '../../fixtures/example-graph.js';
import { openTestRuntime, tempHome } from '../../support/example-runtime.js';
import { jsonLines, REPO, runShopflow } from '../../support/run-shopflow.js';

const homes: Array<() => void> = [];
afterAll(() => {
  for (const cleanup of homes) cleanup();
});

describe('pausing a schedule', () => {
  test('a paused schedule claims no tick for any daemon; resumed, it runs its next tick and does not catch up the paused ones', async () => {
    const { home, cleanup } = tempHome('shopflow-pause-');
    homes.push(cleanup);
    const definitions = exampleDefinitions();
    const hourly = defineSchedule({
      name: 'hourly',
      cron: '0 * * * *',
      selection: 'readings',
      // NOTE: a day of its own per hour, so every tick has something to run.
      partitions: (tick) => ({ keys: [`2024-01-0${(tick.getUTCHours() % 9) + 1}`] }),
      catchUp: 'all',
    });
    let evaluations = 0;
    const watcher: SensorDefinition = defineSensor({
      name: 'watcher',
      intervalSeconds: 60,
      evaluate: () => {
        evaluations++;
        return { message: 'nothing new' };
      },
    });
    const clock = { now: new Date('2024-01-10T10:30:00Z') };
    const runtime = await openTestRuntime({ ...definitions, schedules: [hourly], sensors: [watcher] }, home, {
      now: () => clock.now,
    });
    const daemon = (holder: string) =>
      new ShopflowDaemon({
        runtime,
        schedules: [hourly],
        sensors: [watcher],
        alertOnRunFailures: false,
        alerts: { send: async () => {} },
        now: () => clock.now,
        leaseSeconds: 60,
        onEvent: () => void holder,
      });
    const first = daemon('first');
    const tickAt = async (d: ShopflowDaemon, iso: string) => {
      clock.now = new Date(iso);
      await d.tick(clock.now);
      await d.idle();
    };
    const scheduleTicks = async () =>
      (await runtime.store.listTicks({ name: 'hourly', kinds: ['schedule'] })).map((t) => [
        t.scheduledTime.slice(11, 16),
        t.status,
      ]);
    try {
      await tickAt(first, '2024-01-10T10:30:00Z');
      await tickAt(first, '2024-01-10T11:00:30Z');
      expect(await scheduleTicks()).toEqual([['11:00', 'launched']]);
      const evaluatedBeforePause = evaluations;

      for (const name of ['hourly', 'watcher']) {
        const { changed } = await setPaused({
          store: runtime.store,
          definitions: runtime.definitions,
          name,
          paused: true,
          by: 'a test',
          now: clock.now,
        });
        expect(changed).toBe(true);
      }
      for (let hour = 12; hour <= 14; hour++) await tickAt(first, `2024-01-10T${hour}:00:30Z`);
      // Another daemon (the lease moved on) sees the pause in the instance store too.
      await first.close();
      const second = daemon('second');
      await tickAt(second, '2024-01-10T15:00:30Z');
      expect(await scheduleTicks()).toEqual([['11:00', 'launched']]);
      expect(evaluations).toBe(evaluatedBeforePause);
      expect((await runtime.store.listRuns()).length).toBe(1);

      await setPaused({
        store: runtime.store,
        definitions: runtime.definitions,
        name: 'hourly',
        paused: false,
        by: 'a test',
        now: new Date('2024-01-10T15:10:00Z'),
      });
      await tickAt(second, '2024-01-10T15:20:00Z');
      await tickAt(second, '2024-01-10T16:00:30Z');
      expect(await scheduleTicks()).toEqual([
        ['16:00', 'launched'],
        ['11:00', 'launched'],
      ]);
      expect(evaluations).toBe(evaluatedBeforePause);
      await second.close();
    } finally {
      await runtime.close();
    }
  });

  test('shopflow schedules pause|resume NAME: stored for the daemon, listed, unknown names refused', async () => {
    const { home, cleanup } = tempHome('shopflow-pause-cli-');
    homes.push(cleanup);
    const config = join(home, 'test.yaml');
    writeFileSync(
      config,
      `env: test\nhome: ${home}\ndefinitions: ${join(REPO, 'tests/fixtures/scheduled-example-graph.ts')}\nexecutor:\n  concurrency: 2\n  heartbeatSeconds: 1\nlogging:\n  level: warn\n`,
    );
    const optionsFile = join(home, 'options.json');
    const start = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
    writeFileSync(optionsFile, JSON.stringify({ start }));
    const env = { EXAMPLE_OPTIONS_FILE: optionsFile };
    const cli = (...args: string[]) => runShopflow(['--config', config, ...args], env);
    const store = await openInstanceStore({ type: 'sqlite', path: join(home, 'instance.db') });
    try {
      // Seen three minutes ago: a tick is due at once (see daemon-process.test.ts).
      await store.setCheckpoint(
        scheduleSinceCheckpoint('every_minute'),
        new Date(Date.now() - 3 * 60_000).toISOString(),
      );

      const paused = await cli('schedules', 'pause', 'every_minute');
      expect(paused.stderr).toBe('');
      expect(paused.code).toBe(0);
      expect(paused.stdout).toBe(
        'Paused `every_minute`: the daemon launches nothing for it until `shopflow schedules resume every_minute`.\n',
      );
      const again = await cli('schedules', 'pause', 'every_minute', '--json');
      expect(jsonLines(again.stdout)[0]).toMatchObject({
        name: 'every_minute',
        paused: true,
        changed: false,
      });

      const listed = jsonLines((await cli('schedules', '--json')).stdout).find((l) => l.type === 'schedule')!;
      expect(listed).toMatchObject({ name: 'every_minute', paused: true, nextTicks: [] });
      expect(Date.parse(listed.pausedSince)).toBeGreaterThan(Date.now() - 120_000);
      expect((await cli('schedules')).stdout).toMatch(/every_minute .* paused since \d{4}-\d\d-\d\d /);

      const daemon = await cli('daemon', '--once', '--json');
      expect(daemon.code).toBe(0);
      expect(await store.listTicks({ name: 'every_minute', kinds: ['schedule'] })).toEqual([]);
      expect(await store.listRuns()).toEqual([]);

      const resumed = await cli('schedules', 'resume', 'every_minute');
      expect(resumed.code).toBe(0);
      expect(resumed.stdout).toContain('Resumed `every_minute`: its next tick runs');
      const after = jsonLines((await cli('schedules', '--json')).stdout).find((l) => l.type === 'schedule')!;
      expect(after).toMatchObject({ paused: false, pausedSince: null });
      expect(after.nextTicks).toHaveLength(3);

      const unknown = await cli('schedules', 'pause', 'every_minut');
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toBe(
        'error [SF_UNKNOWN_SCHEDULE]: no schedule or sensor is named `every_minut`; did you mean `every_minute`?\n',
      );
    } finally {
      await store.close();
    }
  });
});
