import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { HOSTNAME } from '../../../framework/index.js';
import { NOW, openServerFixture, type ServerFixture, TOKEN } from './server-fixture.js';

let fixture: ServerFixture;
let base: string;

beforeAll(async () => {
  fixture = await openServerFixture({ materialize: null });
  await fixture.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(fixture.app.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await fixture.close();
});

const publish = (seq: number, events: number) =>
  fixture.runtime.store.setCheckpoint('stream.dashboard', { stream: 'clicks', seq, totals: { events } });

/** Reads server-sent events for `ms`, returning `[id, data]` of each message. */
async function readEvents(
  path: string,
  ms: number,
  headers: Record<string, string> = {},
  during?: () => Promise<void>,
): Promise<Array<[string, { seq: number; totals: { events: number } }]>> {
  const controller = new AbortController();
  const response = await fetch(`${base}${path}`, { headers, signal: controller.signal });
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const reader = response.body!.getReader();
  let text = '';
  const done = (async () => {
    try {
      for (;;) {
        const { value, done: finished } = await reader.read();
        if (finished) break;
        text += new TextDecoder().decode(value);
      }
    } catch {
      // aborted
    }
  })();
  await during?.();
  await new Promise((r) => setTimeout(r, ms));
  controller.abort();
  await done;
  return text
    .split('\n\n')
    .filter((block) => block.includes('data: '))
    .map((block) => {
      const id = /^id: (.*)$/m.exec(block)?.[1] ?? '';
      return [id, JSON.parse(/^data: (.*)$/m.exec(block)![1])];
    });
}

describe('stream dashboard API', () => {
  test('before a consumer ran there is no dashboard', async () => {
    const response = await fixture.app.inject({ method: 'GET', url: '/api/stream' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      dashboard: null,
      health: {
        state: 'never',
        stream: null,
        holder: null,
        lastCheckpointAt: null,
        lastPublishedAt: null,
        maxShardLagMs: null,
      },
    });
  });

  test('each publication is sent once with its id; a reconnect resumes after Last-Event-ID', async () => {
    await publish(5, 100);
    expect((await fixture.app.inject({ method: 'GET', url: '/api/stream' })).json()).toMatchObject({
      dashboard: { seq: 5, totals: { events: 100 } },
    });
    // A client that already has 5 gets nothing until 6 and 7 are published.
    const live = await readEvents('/api/stream/events?afterId=5', 400, {}, async () => {
      await new Promise((r) => setTimeout(r, 150));
      await publish(6, 150);
      await new Promise((r) => setTimeout(r, 100));
      await publish(7, 180);
    });
    expect(live.map(([id]) => id)).toEqual(['6', '7']);
    expect(live[1][1].totals.events).toBe(180);
    // A client that dropped after 4 gets the latest snapshot at once (it carries everything it missed).
    const resumed = await readEvents('/api/stream/events', 200, { 'last-event-id': '4' });
    expect(resumed.map(([id]) => id)).toEqual(['7']);
    // One that is up to date gets nothing.
    expect(await readEvents('/api/stream/events', 200, { 'last-event-id': '7' })).toEqual([]);
  });

  test('the consumer counts as running only while its lease is current, on the stream and automation pages', async () => {
    const lease = 'stream-consumer:clicks';
    const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs).toISOString();
    await fixture.runtime.store.setCheckpoint('stream.dashboard', {
      stream: 'clicks',
      seq: 20,
      publishedAt: at(-1_000),
      lastCheckpointAt: at(-2_000),
      consumer: { pid: process.pid, hostname: HOSTNAME, startedAt: at(-60_000), state: 'running', lease },
      shards: [
        { shardId: 'shard-0', millisBehind: 1_500, ended: false },
        { shardId: 'shard-1', millisBehind: 250, ended: false },
        { shardId: 'shard-old', millisBehind: 90_000, ended: true },
      ],
    });
    const holder = (pid: number, expiresAt: string) => ({
      name: lease,
      holder: `holder-${pid}`,
      pid,
      hostname: HOSTNAME,
      acquiredAt: at(-60_000),
      heartbeatAt: at(-1_000),
      expiresAt,
    });
    const health = async () =>
      (await fixture.app.inject({ method: 'GET', url: '/api/stream' })).json().health;
    const automation = async () =>
      (await fixture.app.inject({ method: 'GET', url: '/api/automation' })).json().stream;

    // Published "running", but no lease was ever taken: nothing runs.
    expect(await health()).toMatchObject({ state: 'stopped', holder: null });

    await fixture.runtime.store.acquireLease(holder(process.pid, at(30_000)), NOW.toISOString());
    expect(await health()).toEqual({
      state: 'running',
      stream: 'clicks',
      holder: { pid: process.pid, hostname: HOSTNAME, heartbeatAt: at(-1_000), expiresAt: at(30_000) },
      lastCheckpointAt: at(-2_000),
      lastPublishedAt: at(-1_000),
      maxShardLagMs: 1_500,
    });
    expect(await automation()).toMatchObject({ state: 'running', maxShardLagMs: 1_500 });

    // The consumer was killed: its dashboard still says running, its lease has lapsed.
    await fixture.runtime.store.releaseLease(lease, `holder-${process.pid}`);
    await fixture.runtime.store.acquireLease(holder(process.pid, at(-5_000)), NOW.toISOString());
    expect(await health()).toMatchObject({ state: 'stopped', holder: { expiresAt: at(-5_000) } });
    expect(await automation()).toMatchObject({ state: 'stopped' });

    // A current lease held by a process of this machine that no longer exists is not a consumer either.
    await fixture.runtime.store.releaseLease(lease, `holder-${process.pid}`);
    const gone = 2 ** 22 + 12_345;
    await fixture.runtime.store.acquireLease(holder(gone, at(30_000)), NOW.toISOString());
    expect(await health()).toMatchObject({ state: 'stopped', holder: { pid: gone } });
  });

  test('a bad afterId is refused with the parameter named', async () => {
    const response = await fixture.app.inject({ method: 'GET', url: '/api/stream/events?afterId=x' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('afterId');
  });
});

describe('stream dashboard API behind a token', () => {
  let guarded: ServerFixture;
  beforeAll(async () => {
    guarded = await openServerFixture({ materialize: null, token: TOKEN });
    await guarded.runtime.store.setCheckpoint('stream.dashboard', { stream: 'clicks', seq: 1 });
  });
  afterAll(async () => {
    await guarded.close();
  });

  test('the dashboard, its events and its health need the token like every other read', async () => {
    for (const url of ['/api/stream', '/api/stream/events', '/api/automation']) {
      const refused = await guarded.app.inject({ method: 'GET', url });
      expect(refused.statusCode, url).toBe(401);
      expect(refused.body, url).not.toContain('clicks');
    }
    const allowed = await guarded.app.inject({
      method: 'GET',
      url: '/api/stream',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(allowed.statusCode).toBe(200);
    expect(allowed.json().dashboard).toMatchObject({ stream: 'clicks', seq: 1 });
  });
});
