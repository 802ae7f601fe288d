import { afterAll, beforeAll, expect, test } from 'vitest';
import { openServerFixture, type ServerFixture } from './server-fixture.js';

let f: ServerFixture;
let reads = 0;

beforeAll(async () => {
  f = await openServerFixture({ materialize: 'stations' });
  const store = f.runtime.store;
  const original = store.listPlannerStates.bind(store);
  store.listPlannerStates = async () => {
    reads++;
    return await original();
  };
});
afterAll(async () => {
  await f?.close();
});

test('50 concurrent graph requests compute the status once; a run of this process refreshes it at once', async () => {
  reads = 0;
  const responses = await Promise.all(Array.from({ length: 50 }, () => f.app.inject({ url: '/api/graph' })));
  expect(responses.every((r) => r.statusCode === 200)).toBe(true);
  expect(new Set(responses.map((r) => r.body)).size).toBe(1);
  expect(reads).toBe(1);
  const before = responses[0].json().nodes.find((n: { key: string }) => n.key === 'notes');
  expect(before.status).toBe('missing');

  await f.runtime.execute(await f.runtime.plan({ selection: 'notes' }));
  const after = (await f.app.inject({ url: '/api/graph' }))
    .json()
    .nodes.find((n: { key: string }) => n.key === 'notes');
  expect(after.status).toBe('fresh');
  expect(reads).toBeGreaterThan(1);
});
