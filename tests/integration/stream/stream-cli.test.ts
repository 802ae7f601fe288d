import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import shopflow from '../../../assets/definitions.js';
import { loadConfig, ShopflowRuntime } from '../../../framework/index.js';
import {
  localKinesisStatus,
  stopLocalKinesis,
} from '../../../resources/stream/local/local-kinesis-server.js';
import { silentLog, tempHome } from '../../support/example-runtime.js';
import { jsonLines, REPO, runShopflow, spawnShopflow } from '../../support/run-shopflow.js';
import { lakeTables, sortedTables } from './stream-fixture.js';

const homes: Array<ReturnType<typeof tempHome>> = [];
let a: { home: string; config: string };
let b: { home: string; config: string };

function makeHome(kinesisDir?: string, extra: Record<string, unknown> = {}, definitions?: string) {
  const home = tempHome('shopflow-stream-cli-');
  homes.push(home);
  chmodSync(home.home, 0o755);
  const config = join(home.home, 'shopflow.yaml');
  writeFileSync(
    config,
    stringify({
      env: 'test',
      home: home.home,
      ...(definitions ? { definitions } : {}),
      logging: { level: 'warn' },
      data: { rawDir: join(home.home, 'raw'), logsDir: join(home.home, 'logs') },
      resources: {
        generator: { seed: 7, scale: 0.2 },
        stream: {
          name: 'cli-clicks',
          sliceMillis: 200,
          pollMillis: 20,
          idleShardSeconds: 2,
          clockSkewMillis: 0,
          ...(kinesisDir ? { dir: kinesisDir } : {}),
          ...extra,
        },
      },
    }),
  );
  return { home: home.home, config };
}

async function shopflowCli(home: { config: string }, ...args: string[]) {
  return await runShopflow(['--config', home.config, ...args]);
}

async function tablesOf(home: { config: string }) {
  const runtime = await ShopflowRuntime.open({
    config: loadConfig({ file: home.config, environment: {} }),
    definitions: shopflow,
    log: silentLog,
  });
  try {
    return sortedTables(await lakeTables(runtime));
  } finally {
    await runtime.close();
  }
}

beforeAll(() => {
  a = makeHome();
  // NOTE: home b reads the stream of home a's local server, to consume the same records.
  b = makeHome(join(a.home, 'kinesis'));
});
afterAll(async () => {
  await stopLocalKinesis(join(a.home, 'kinesis'));
  for (const h of homes) h.cleanup();
});

describe('shopflow stream … on the embedded defaults', () => {
  test('produce starts a local Kinesis server on loopback; consume, status and stop work from the CLI', async () => {
    const produced = await shopflowCli(
      a,
      'stream',
      'produce',
      '--day',
      '2024-01-15',
      '--rate',
      '2000',
      '--heartbeat',
      '--json',
    );
    expect(produced.stderr).not.toMatch(/error \[/);
    expect(produced.code).toBe(0);
    const done = jsonLines(produced.stdout).find((l) => l.type === 'done')!;
    expect(done).toMatchObject({ stream: 'cli-clicks', failed: 0, heartbeats: 2 });
    expect(done.events).toBeGreaterThan(50);
    const server = await localKinesisStatus(join(a.home, 'kinesis'));
    expect(server?.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const status = await shopflowCli(a, 'stream', 'status', '--json');
    expect(JSON.parse(status.stdout)).toMatchObject({ stream: 'cli-clicks', mode: 'local', consumer: null });
    expect(JSON.parse(status.stdout).shards).toHaveLength(2);

    const consumed = await shopflowCli(a, 'stream', 'consume', '--until-idle', '4s', '--json');
    expect(consumed.code).toBe(0);
    expect(jsonLines(consumed.stdout).find((l) => l.type === 'done')).toMatchObject({
      records: done.written + done.heartbeats,
    });
    const shown = await shopflowCli(
      a,
      'show',
      'click_stream_days',
      '--partition',
      '2024-01-15',
      '--format',
      'json',
    );
    const days = jsonLines(shown.stdout);
    expect(days).toHaveLength(5);
    const late = jsonLines(
      (
        await shopflowCli(
          a,
          'show',
          'click_late_events',
          '--partition',
          '2024-01-15',
          '--limit',
          '10000',
          '--format',
          'json',
        )
      ).stdout,
    );
    expect(
      days.reduce((sum, r) => sum + Number(r.events), 0) + new Set(late.map((r) => r.event_id)).size,
    ).toBe(done.events);
  });

  test('a consumer killed with SIGKILL at a random moment and restarted writes what an uninterrupted one writes', async () => {
    const produced = await shopflowCli(
      a,
      'stream',
      'produce',
      '--day',
      '2024-01-16',
      '--rate',
      '400',
      '--heartbeat',
      '--json',
    );
    expect(produced.code).toBe(0);
    // Home b consumes the same stream without interruption.
    const uninterrupted = await shopflowCli(b, 'stream', 'consume', '--until-idle', '4s', '--json');
    expect(uninterrupted.code).toBe(0);
    // Home a is killed part way through its second day, then restarted.
    const child = spawnShopflow(['--config', a.config, 'stream', 'consume', '--json']);
    let output = '';
    child.stdout!.on('data', (d) => {
      output += d;
    });
    await new Promise((r) => setTimeout(r, 1500 + Math.floor(Math.random() * 1500)));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    void output;
    const restarted = await shopflowCli(a, 'stream', 'consume', '--until-idle', '4s', '--json');
    expect(restarted.code).toBe(0);
    const tablesA = await tablesOf(a);
    const tablesB = await tablesOf(b);
    expect(tablesA).toEqual(tablesB);
    // NOTE: the first day's heartbeat moved the watermark to the present, so the replayed second
    // day arrived late as a whole: every one of its events is in the late events, once.
    const done = jsonLines(produced.stdout).find((l) => l.type === 'done')!;
    const lateOfDay = tablesA.lateEvents.filter(([, v]) => v.startsWith('e20240116-'));
    expect(new Set(lateOfDay.map(([, v]) => v.split('@')[0])).size).toBe(done.events);
  });

  test('the daemon runs the consumer when resources.stream.consumeInDaemon is set', async () => {
    const c = makeHome(
      join(a.home, 'kinesis'),
      { consumeInDaemon: true },
      join(REPO, 'tests/fixtures/stream-definitions.ts'),
    );
    const daemon = spawnShopflow(['--config', c.config, 'daemon', '--interval', '1', '--json']);
    const exited = new Promise<number | null>((resolve) => daemon.on('close', resolve));
    const runtime = await ShopflowRuntime.open({
      config: loadConfig({ file: c.config, environment: {} }),
      definitions: shopflow,
      log: silentLog,
    });
    try {
      await expect
        .poll(
          async () =>
            (await runtime.store.listMaterializations({ assetKey: 'click_stream_days', limit: 5 })).length,
          {
            timeout: 60_000,
            interval: 500,
          },
        )
        .toBeGreaterThan(0);
    } finally {
      await runtime.close();
      daemon.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  test('bad options are refused with the value and the fix; reset forgets the checkpoint; stop stops the server', async () => {
    const bad = await shopflowCli(a, 'stream', 'produce', '--rate', 'fast');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--rate fast is not a rate of events per second');
    const badFrom = await shopflowCli(a, 'stream', 'consume', '--from', 'yesterday');
    expect(badFrom.code).toBe(2);
    expect(badFrom.stderr).toContain('--from yesterday is not a start position');
    const reset = await shopflowCli(a, 'stream', 'reset', '--json');
    expect(JSON.parse(reset.stdout)).toMatchObject({ reset: true, stream: 'cli-clicks' });
    expect(JSON.parse((await shopflowCli(a, 'stream', 'status', '--json')).stdout).consumer).toBeNull();
    const stopped = await shopflowCli(a, 'stream', 'stop', '--json');
    expect(JSON.parse(stopped.stdout)).toMatchObject({ stopped: true });
    expect(await localKinesisStatus(join(a.home, 'kinesis'))).toBeNull();
    expect(existsSync(join(a.home, 'kinesis', 'server.json'))).toBe(false);
    const again = await shopflowCli(a, 'stream', 'stop', '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ stopped: false });
  });
});
