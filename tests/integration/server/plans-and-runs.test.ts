import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { EventRecord } from '../../../framework/index.js';
import { eventually, NOW, openServerFixture, type ServerFixture, TOKEN } from './server-fixture.js';

let f: ServerFixture;
const bearer = { authorization: `Bearer ${TOKEN}` };
const auth = { ...bearer, 'content-type': 'application/json' };

function get(url: string, headers: Record<string, string> = {}) {
  return f.app.inject({ url, headers: { ...bearer, ...headers } });
}

/** A run's steps from the compact detail: `[asset, partition, status, startMs, endMs, attempts, rows]`. */
function stepsOf(detail: { assets: string[]; steps: unknown[][] }) {
  return detail.steps.map(([asset, partition, status, startMs, endMs, attempts, rowCount]) => ({
    key:
      partition === null ? detail.assets[asset as number] : `${detail.assets[asset as number]}[${partition}]`,
    status,
    startMs: startMs as number | null,
    endMs: endMs as number | null,
    attempts,
    rowCount,
  }));
}

beforeAll(async () => {
  f = await openServerFixture({ token: TOKEN });
});
afterAll(async () => {
  await f?.close();
});

async function post(url: string, body: unknown, headers: Record<string, string> = auth) {
  const response = await f.app.inject({ method: 'POST', url, headers, payload: JSON.stringify(body) });
  return { status: response.statusCode, body: response.json() };
}

/** The `data:` events and the closing `end` event of a server-sent-events body. */
function parseStream(text: string): {
  events: Array<Partial<EventRecord> & { id: number; type: string }>;
  end: { runId: string; status: string } | null;
  ids: number[];
} {
  const events: Array<Partial<EventRecord> & { id: number; type: string }> = [];
  const ids: number[] = [];
  let end = null;
  for (const block of text.split('\n\n')) {
    const lines = block.split('\n');
    const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
    const id = lines.find((l) => l.startsWith('id: '))?.slice(4);
    if (!data) continue;
    if (lines.includes('event: end')) end = JSON.parse(data);
    else {
      events.push(JSON.parse(data));
      ids.push(Number(id));
    }
  }
  return { events, end, ids };
}

describe('POST /api/plan', () => {
  test('returns exactly what runtime.plan returns, and changes nothing', async () => {
    const runsBefore = (await f.runtime.store.listRuns()).length;
    const bodies = [
      {},
      { selection: '+weekly_stats' },
      { selection: 'readings', partitions: { keys: ['2024-01-03'] }, force: true },
      { selection: 'daily_stats+', partitions: { from: '2024-01-02', to: '2024-01-05' } },
    ];
    for (const body of bodies) {
      const response = await post('/api/plan', body);
      expect(response.status).toBe(200);
      const expected = await f.runtime.plan({ ...body, partitions: body.partitions ?? null });
      expect(response.body).toEqual(JSON.parse(JSON.stringify(expected)));
      expect(response.body.createdAt).toBe(NOW.toISOString());
    }
    expect((await f.runtime.store.listRuns()).length).toBe(runsBefore);
  });

  test('bad partitions, selections and bodies are 400s with readable messages', async () => {
    const badKey = await post('/api/plan', { selection: 'readings', partitions: { keys: ['2024-13-01'] } });
    expect(badKey.status).toBe(400);
    expect(badKey.body.error.code).toBe('SF_BAD_PARTITION');
    expect(badKey.body.error.message).toContain('2024-13-01');
    const reversed = await post('/api/plan', {
      selection: 'readings',
      partitions: { from: '2024-01-05', to: '2024-01-02' },
    });
    expect(reversed.status).toBe(400);
    expect(reversed.body.error.code).toBe('SF_BAD_PARTITION_RANGE');
    const selection = await post('/api/plan', { selection: '+weekly_stat' });
    expect(selection.status).toBe(404);
    expect(selection.body.error.message).toContain('did you mean `weekly_stats`');
    const group = await post('/api/plan', { selection: 'group:derivd' });
    expect(group.status).toBe(400);
    expect(group.body.error.code).toBe('SF_BAD_SELECTION');
    const shape = await post('/api/plan', { partitions: { start: '2024-01-01' } });
    expect(shape.status).toBe(400);
    expect(shape.body.error.message).toContain('body field `partitions`');
    expect(shape.body.error.message).toContain('{"from"');
    const force = await post('/api/plan', { force: 'yes' });
    expect(force.status).toBe(400);
    expect(force.body.error.message).toContain('body field `force` is "yes"');
    const unknown = await post('/api/plan', { selecton: '*' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('unknown body field `selecton`');
    const malformed = await f.app.inject({
      method: 'POST',
      url: '/api/plan',
      headers: auth,
      payload: '{"selection":',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe('SF_BAD_USAGE');
  });
});

describe('runs', () => {
  test('POST /api/runs starts the run here, answers once it is recorded, and its events stream until it finishes', async () => {
    const launched = await post(
      '/api/runs',
      { selection: '+daily_stats', partitions: { keys: ['2024-01-03'] }, force: true, concurrency: 2 },
      auth,
    );
    expect(launched.status).toBe(202);
    const { runId } = launched.body;
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await f.runtime.store.getRun(runId)).toBeDefined();

    const stream = await get(`/api/runs/${runId}/stream`);
    expect(stream.statusCode).toBe(200);
    expect(stream.headers['content-type']).toContain('text/event-stream');
    const { events, end, ids } = parseStream(stream.body);
    const stored = await f.runtime.store.listEvents({ runId });
    expect(ids).toEqual(stored.map((e) => e.id));
    expect(events.map((e) => [e.id, e.type, e.assetKey, e.partitionKey, e.message])).toEqual(
      stored.map((e) => [e.id, e.type, e.assetKey, e.partitionKey, e.message]),
    );
    // compact: no run id, no data versions, only what the page reads
    expect(events.every((e) => e.runId === undefined)).toBe(true);
    expect(stream.body).not.toContain('dataVersion');
    expect(events[0].type).toBe('run_start');
    expect(events.at(-1)!.type).toBe('run_success');
    expect(end).toEqual({ runId, status: 'success' });

    const zipped = await get(`/api/runs/${runId}/stream`, { 'accept-encoding': 'gzip' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(parseStream(gunzipSync(zipped.rawPayload).toString('utf8')).ids).toEqual(ids);

    const detail = (await get(`/api/runs/${runId.slice(0, 8)}`)).json();
    expect(detail.run).toMatchObject({
      id: runId,
      status: 'success',
      selection: '+daily_stats',
      steps: 2,
      tags: { trigger: 'web' },
    });
    const steps = stepsOf(detail);
    expect(steps.map((s) => [s.key, s.status])).toEqual([
      ['readings[2024-01-03]', 'success'],
      ['daily_stats[2024-01-03]', 'success'],
    ]);
    for (const step of steps) {
      expect(step.startMs).toBeGreaterThanOrEqual(0);
      expect(step.endMs).toBeGreaterThanOrEqual(step.startMs!);
      expect(step.endMs).toBeLessThanOrEqual(detail.window.durationMs);
      expect(step.rowCount).toBe(step.key.startsWith('readings') ? 72 : 3);
    }
    expect(detail.counts).toEqual({
      pending: 0,
      running: 0,
      success: 2,
      up_to_date: 0,
      failed: 0,
      check_failed: 0,
      skipped: 0,
    });
    expect(detail.events).toBeUndefined();
    const summary = (await get(`/api/runs/${runId}/summary`)).json();
    expect(summary.counts).toEqual(detail.counts);
    expect(summary.run.id).toBe(runId);

    const list = (await get('/api/runs?limit=5')).json();
    expect(list.runs[0]).toMatchObject({ id: runId, status: 'success', steps: 2 });
    expect(list.runs.length).toBeLessThanOrEqual(5);
  });

  test('a stream resumed after its last event only ends', async () => {
    const [run] = await f.runtime.store.listRuns({ limit: 1 });
    const events = await f.runtime.store.listEvents({ runId: run.id });
    const resumed = await get(`/api/runs/${run.id}/stream`, { 'last-event-id': String(events.at(-1)!.id) });
    const parsed = parseStream(resumed.body);
    expect(parsed.events).toEqual([]);
    expect(parsed.end?.status).toBe(run.status);
    const partial = parseStream((await get(`/api/runs/${run.id}/stream?afterId=${events[1].id}`)).body);
    expect(partial.ids).toEqual(events.slice(2).map((e) => e.id));
  });

  test('a failing run: step failure with its error in the timeline', async () => {
    const plan = await f.runtime.plan({ selection: 'readings', partitions: { keys: ['2024-01-05'] } });
    const result = await f.runtime.execute(plan);
    const detail = (await get(`/api/runs/${result.runId}`)).json();
    expect(detail.run.status).toBe('failed');
    expect(detail.run.error).toContain('readings[2024-01-05]');
    expect(stepsOf(detail)).toEqual([
      expect.objectContaining({ key: 'readings[2024-01-05]', status: 'failed' }),
    ]);
    expect(detail.messages['readings[2024-01-05]']).toContain('source has no file for 2024-01-05');
    expect(detail.counts.failed).toBe(1);
  });

  test('events are paged newest first with a cursor, and filtered by step, type and level', async () => {
    const result = await f.runtime.execute(
      await f.runtime.plan({
        selection: '+daily_stats',
        partitions: { from: '2024-01-02', to: '2024-01-05' },
        force: true,
      }),
    );
    const stored = await f.runtime.store.listEvents({ runId: result.runId });
    const pages: number[][] = [];
    let before: number | null = null;
    do {
      const page: { events: Array<{ id: number }>; nextBefore: number | null } = (
        await get(`/api/runs/${result.runId}/events?limit=7${before ? `&before=${before}` : ''}`)
      ).json();
      pages.push(page.events.map((e: { id: number }) => e.id));
      before = page.nextBefore;
    } while (before !== null);
    expect(pages.flat()).toEqual(stored.map((e) => e.id).reverse());
    expect(pages.slice(0, -1).every((p) => p.length === 7)).toBe(true);

    const step = (await get(`/api/runs/${result.runId}/events?step=readings[2024-01-03]`)).json();
    expect(step.events.length).toBeGreaterThan(0);
    expect(
      step.events.every(
        (e: { assetKey: string; partitionKey: string }) =>
          e.assetKey === 'readings' && e.partitionKey === '2024-01-03',
      ),
    ).toBe(true);
    const asset = (await get(`/api/runs/${result.runId}/events?step=daily_stats`)).json();
    expect(new Set(asset.events.map((e: { assetKey: string }) => e.assetKey))).toEqual(
      new Set(['daily_stats']),
    );
    const starts = (await get(`/api/runs/${result.runId}/events?type=step_start`)).json();
    expect(starts.events.map((e: { id: number }) => e.id)).toEqual(
      stored
        .filter((e) => e.type === 'step_start')
        .map((e) => e.id)
        .reverse(),
    );
    const errors = (await get(`/api/runs/${result.runId}/events?level=error`)).json();
    expect(errors.events.map((e: { type: string }) => e.type).sort()).toEqual([
      'run_failure',
      'step_failure',
    ]);
    expect(errors.events.every((e: { level: string }) => e.level === 'error')).toBe(true);
    const bad = await get(`/api/runs/${result.runId}/events?level=fatal`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('`level` is "fatal"');
    const badStep = await get(`/api/runs/${result.runId}/events?step=Not A Step`);
    expect(badStep.statusCode).toBe(400);
  });

  test('a failed run is re-executed from its failures over HTTP; a successful one cannot be', async () => {
    const failed = await f.runtime.execute(
      await f.runtime.plan({
        selection: '+daily_stats',
        partitions: { from: '2024-01-04', to: '2024-01-05' },
        force: true,
      }),
    );
    expect(failed.status).toBe('failed');
    const withoutToken = await post(
      `/api/runs/${failed.runId}/retry`,
      {},
      { 'content-type': 'application/json' },
    );
    expect(withoutToken.status).toBe(401);
    const retried = await post(`/api/runs/${failed.runId.slice(0, 8)}/retry`, {});
    expect(retried.status).toBe(202);
    expect(retried.body.retryOf).toBe(failed.runId);
    const run = await eventually(async () => {
      const r = await f.runtime.store.getRun(retried.body.runId);
      return r && r.status !== 'running' && r.status !== 'queued' ? r : undefined;
    });
    expect(run.parentRunId).toBe(failed.runId);
    expect(run.tags.trigger).toBe('web');
    // only what failed or never ran is planned again: readings and daily_stats of 2024-01-05
    expect((run.plan as { steps: Array<{ key: string }> }).steps.map((s) => s.key)).toEqual([
      'readings[2024-01-05]',
      'daily_stats[2024-01-05]',
    ]);
    const [succeeded] = (await f.runtime.store.listRuns({ limit: 50 })).filter((r) => r.status === 'success');
    const refused = await post(`/api/runs/${succeeded.id}/retry`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('SF_RUN_NOT_RETRYABLE');
  });

  test('unknown and malformed run ids', async () => {
    const unknown = await get('/api/runs/00000000-0000-0000-0000-000000000000');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('SF_UNKNOWN_RUN');
    const stream = await get('/api/runs/nope/stream');
    expect(stream.statusCode).toBe(404);
    const malformed = await get('/api/runs/..%2F..');
    expect(malformed.statusCode).toBe(400);
    expect((await get('/api/runs?limit=9999')).statusCode).toBe(400);
  });
});

describe('live streaming of a run started by another process', () => {
  let live: ServerFixture;
  let release!: () => void;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });

  beforeAll(async () => {
    live = await openServerFixture({
      token: TOKEN,
      materialize: null,
      example: { gate: async (assetKey) => (assetKey === 'stations' ? held : undefined) },
    });
    await live.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    release();
    await live?.close();
  });

  test('events arrive while the run is still going, and the stream ends when it finishes', async () => {
    const runId = crypto.randomUUID();
    // NOTE: executed through the runtime, not the server: the stream must follow the store.
    const execution = live.runtime.execute(await live.runtime.plan({ selection: 'stations' }), { runId });
    await eventually(async () => live.runtime.store.getRun(runId));
    const address = live.app.server.address() as { port: number };
    const response = await fetch(`http://127.0.0.1:${address.port}/api/runs/${runId}/stream`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('"type":"step_start"')) text += decoder.decode((await reader.read()).value);
    expect(text).not.toContain('event: end');
    expect((await live.runtime.store.getRun(runId))!.status).toBe('running');
    release();
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += decoder.decode(chunk.value);
    }
    await execution;
    const parsed = parseStream(text);
    expect(parsed.events.map((e) => e.type)).toEqual([
      'run_start',
      'step_start',
      'materialization',
      'step_success',
      'run_success',
    ]);
    expect(parsed.end).toEqual({ runId, status: 'success' });
  });
});
