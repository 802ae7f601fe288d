import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openServerFixture, type ServerFixture } from './server-fixture.js';

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
    expect(response.json()).toEqual({ dashboard: null });
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

  test('a bad afterId is refused with the parameter named', async () => {
    const response = await fixture.app.inject({ method: 'GET', url: '/api/stream/events?afterId=x' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('afterId');
  });
});
