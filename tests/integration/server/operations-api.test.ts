import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PII_MASK, readPauseState, type ShopflowRuntime } from '../../../framework/index.js';
import { serverAutomation } from '../../../schedules/index.js';
import { createServer } from '../../../server/create-server.js';
import {
  type OperationsState,
  operationsDefinitions,
  prepareOperationsState,
} from '../../fixtures/operations-state.js';
import { openTestRuntime, silentLog, tempHome } from '../../support/example-runtime.js';
import { eventually, TOKEN } from './server-fixture.js';

const json = { 'content-type': 'application/json' };
const bearer = { authorization: `Bearer ${TOKEN}` };

let home: ReturnType<typeof tempHome>;
let runtime: ShopflowRuntime;
let state: OperationsState;
let hold: Promise<void> | undefined;
let release = () => {};
const clock = { now: new Date('2024-01-08T06:00:00.000Z') };
const servers: Array<ReturnType<typeof createServer>> = [];

function server(options: { readOnly?: boolean; publicRead?: boolean; automation?: boolean } = {}) {
  const app = createServer({
    runtime,
    token: TOKEN,
    host: '127.0.0.1',
    port: 0,
    log: silentLog,
    readOnly: options.readOnly,
    publicRead: options.publicRead,
    automation: options.automation === false ? undefined : serverAutomation,
  });
  servers.push(app);
  return app;
}

beforeAll(async () => {
  home = tempHome('shopflow-operations-');
  runtime = await openTestRuntime(operationsDefinitions({ hold: () => hold }), home.home, {
    now: () => clock.now,
  });
  state = await prepareOperationsState(runtime, clock, {
    hold: () => {
      hold = new Promise((resolve) => {
        release = resolve;
      });
    },
    release: () => release(),
  });
});

afterAll(async () => {
  release();
  for (const app of servers) await app.close();
  await state?.daemon.close();
  await runtime?.close();
  home?.cleanup();
});

describe('reads: automation, backfills, data quality, catalog, graph layout', () => {
  test('every new read needs the token (or --public-read) and answers with real state', async () => {
    const app = server();
    const kiosk = server({ publicRead: true });
    const urls = [
      '/api/automation',
      '/api/backfills',
      `/api/backfills/${state.backfillId}`,
      '/api/quality',
      '/api/catalog',
      '/api/graph/layout',
    ];
    for (const url of urls) {
      expect((await app.inject({ url })).statusCode, url).toBe(401);
      expect((await app.inject({ url, headers: bearer })).statusCode, url).toBe(200);
      expect((await kiosk.inject({ url })).statusCode, url).toBe(200);
    }

    const automation = (await app.inject({ url: '/api/automation', headers: bearer })).json();
    expect(automation.daemon).toMatchObject({ state: 'running', holder: { pid: process.pid } });
    const nightly = automation.schedules.find((s: { name: string }) => s.name === 'nightly');
    expect(nightly).toMatchObject({ cron: '0 2 * * *', enabled: true, pause: null });
    expect(nightly.nextTicks).toEqual([
      '2024-01-10T02:00:00.000Z',
      '2024-01-11T02:00:00.000Z',
      '2024-01-12T02:00:00.000Z',
    ]);
    const [tick] = nightly.recentTicks;
    expect(tick).toMatchObject({ scheduledTime: '2024-01-09T02:00:00.000Z', status: 'launched' });
    expect(tick.runStatus).toBe((await runtime.store.getRun(tick.runId))!.status);
    const hourly = automation.schedules.find((s: { name: string }) => s.name === 'hourly_notes');
    expect(
      hourly.recentTicks.some(
        (t: { status: string; message: string }) =>
          t.status === 'skipped' && t.message.startsWith('nothing to do'),
      ),
    ).toBe(true);
    expect(automation.sensors[0].name).toBe('landing_watch');
    expect(automation.sensors[0].recentEvaluations).toHaveLength(4);
    expect(automation.sensors[0].recentEvaluations[0]).toMatchObject({
      status: 'skipped',
      message: 'no new objects',
    });

    const backfills = (await app.inject({ url: '/api/backfills', headers: bearer })).json();
    expect(backfills.backfills[0]).toMatchObject({ id: state.backfillId, status: 'interrupted', total: 7 });
    const detail = (
      await app.inject({ url: `/api/backfills/${state.backfillId.slice(0, 8)}`, headers: bearer })
    ).json();
    expect(detail.partitions).toHaveLength(7);
    expect(detail.backfill.done + detail.backfill.failed + detail.backfill.pending).toBe(7);
    expect(detail.runs.length).toBeGreaterThan(0);
    expect(
      detail.runs.every((r: { tags: { backfill: string } }) => r.tags.backfill === state.backfillId),
    ).toBe(true);

    const quality = (await app.inject({ url: '/api/quality', headers: bearer })).json();
    const outcomes = quality.assets.map((a: { counts: { fail: number; warn: number } }) =>
      a.counts.fail ? 'fail' : a.counts.warn ? 'warn' : 'pass',
    );
    expect(outcomes).toEqual(
      [...outcomes].sort(
        (a: string, b: string) => ['fail', 'warn', 'pass'].indexOf(a) - ['fail', 'warn', 'pass'].indexOf(b),
      ),
    );
    expect(outcomes[0]).toBe('fail');
    const contacts = quality.assets.find((a: { assetKey: string }) => a.assetKey === 'contacts');
    expect(contacts.checks[0].samples[0].rows).toEqual([{ id: '2', email: PII_MASK }]);
    const raw = (await app.inject({ url: '/api/quality', headers: bearer })).body;
    expect(raw).not.toContain('south.example.com');
    expect((await app.inject({ url: '/api/quality?includePii=true', headers: bearer })).statusCode).toBe(400);

    // Materializations carry the store's (real) time: two hours on, contacts is past its 60 minutes.
    const saved = clock.now;
    clock.now = new Date(Date.now() + 2 * 3_600_000);
    const catalog = (await server().inject({ url: '/api/catalog', headers: bearer })).json();
    clock.now = saved;
    expect(catalog.assets.find((a: { key: string }) => a.key === 'contacts')).toMatchObject({
      owners: ['operations'],
      tags: ['people'],
      group: 'reference',
      status: 'overdue',
      freshness: { state: 'overdue', maxLagMinutes: 60 },
      location: expect.stringMatching(/[/\\]contacts$/),
      rows: expect.any(Number),
      personalData: ['email'],
    });
    expect(catalog.assets.find((a: { key: string }) => a.key === 'readings')).toMatchObject({
      location: expect.stringMatching(/[/\\]readings[/\\]partition=\{partition\}$/),
      personalData: [],
    });

    const layout = (await app.inject({ url: '/api/graph/layout?collapsed=derived', headers: bearer })).json();
    expect(Object.keys(layout.nodes).sort()).toEqual([
      'contacts',
      'group:derived',
      'notes',
      'readings',
      'stations',
    ]);
  });
});

describe('writes: pause and resume, cancel runs and backfills, resume backfills', () => {
  test('need the token even with --public-read, are refused read-only, and change the instance store', async () => {
    const app = server();
    const kiosk = server({ publicRead: true });
    const readOnly = server({ readOnly: true });
    const post = (target: typeof app, url: string, headers: Record<string, string> = {}) =>
      target.inject({ method: 'POST', url, headers: { ...json, ...headers }, payload: '{}' });

    for (const target of [app, kiosk]) {
      const refused = await post(target, '/api/schedules/nightly/pause');
      expect(refused.statusCode).toBe(401);
      expect(refused.json().error.code).toBe('SF_UNAUTHORIZED');
    }
    const forbidden = await post(readOnly, '/api/schedules/nightly/pause', bearer);
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().error.message).toBe(
      'the server runs with --read-only; pausing schedules is disabled',
    );
    expect(await readPauseState(runtime.store, 'nightly')).toBeNull();

    const paused = await post(app, '/api/schedules/nightly/pause', bearer);
    expect(paused.statusCode).toBe(200);
    expect(paused.json()).toMatchObject({
      name: 'nightly',
      paused: true,
      changed: true,
      pause: { by: 'the web page' },
    });
    expect(await readPauseState(runtime.store, 'nightly')).toMatchObject({ paused: true });
    // The daemon launches nothing for it while it is paused.
    clock.now = new Date('2024-01-10T02:00:30Z');
    await state.daemon.tick(clock.now);
    await state.daemon.idle();
    expect((await runtime.store.listTicks({ name: 'nightly', limit: 1 }))[0].scheduledTime).toBe(
      '2024-01-09T02:00:00.000Z',
    );
    const listed = (await app.inject({ url: '/api/automation', headers: bearer })).json();
    expect(listed.schedules.find((s: { name: string }) => s.name === 'nightly')).toMatchObject({
      pause: { paused: true },
      nextTicks: [],
    });
    const resumed = await post(app, '/api/schedules/nightly/resume', bearer);
    expect(resumed.json()).toMatchObject({ paused: false, changed: true });
    const unknown = await post(app, '/api/schedules/nightlyy/pause', bearer);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatchObject({
      code: 'SF_UNKNOWN_SCHEDULE',
      hint: 'did you mean `nightly`?',
    });

    // Canceling a finished run is a conflict; canceling needs the token and write rights.
    expect((await post(app, `/api/runs/${state.canceledRunId}/cancel`)).statusCode).toBe(401);
    expect((await post(readOnly, `/api/runs/${state.canceledRunId}/cancel`, bearer)).statusCode).toBe(403);
    const finished = await post(app, `/api/runs/${state.canceledRunId}/cancel`, bearer);
    expect(finished.statusCode).toBe(409);
    expect(finished.json().error.code).toBe('SF_RUN_NOT_CANCELABLE');

    // A backfill: cancel (interrupted → canceled), then resume it here until it ends.
    expect((await post(kiosk, `/api/backfills/${state.backfillId}/cancel`)).statusCode).toBe(401);
    expect((await post(readOnly, `/api/backfills/${state.backfillId}/cancel`, bearer)).statusCode).toBe(403);
    const canceled = await post(app, `/api/backfills/${state.backfillId}/cancel`, bearer);
    expect(canceled.statusCode).toBe(202);
    expect(canceled.json().backfill).toMatchObject({
      status: 'canceled',
      message: 'canceled by the web page',
    });
    const again = await post(app, `/api/backfills/${state.backfillId}/cancel`, bearer);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('SF_BACKFILL_NOT_CANCELABLE');
    const without = server({ automation: false });
    const noActions = await post(without, `/api/backfills/${state.backfillId}/resume`, bearer);
    expect(noActions.statusCode).toBe(403);
    expect(noActions.json().error.message).toContain('without the schedules package');
    const resume = await post(app, `/api/backfills/${state.backfillId}/resume`, bearer);
    expect(resume.statusCode).toBe(202);
    expect(resume.json().backfill).toMatchObject({
      id: state.backfillId,
      status: 'running',
      pid: process.pid,
    });
    const done = await eventually(async () => {
      const b = await runtime.store.getBackfill(state.backfillId);
      return b && b.status !== 'running' ? b : undefined;
    });
    // readings of 2024-01-05 still fail, so the backfill ends failed with that partition.
    expect(done.status).toBe('failed');
    const partitions = await runtime.store.listBackfillPartitions(state.backfillId);
    expect(partitions.filter((p) => p.status === 'failed').map((p) => p.partitionKey)).toEqual([
      '2024-01-05',
    ]);
  });
});

describe('the daemon’s health after it stops', () => {
  test('a daemon that stopped cleanly (its lease released) shows as stopped, not as never run', async () => {
    await state.daemon.close();
    const automation = (await server().inject({ url: '/api/automation', headers: bearer })).json();
    expect(automation.daemon.state).toBe('stopped');
    expect(automation.daemon.lastEvaluationAt).not.toBeNull();
  });
});
