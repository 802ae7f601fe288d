import { afterAll, beforeAll, test } from 'vitest';
import { openServerFixture, type ServerFixture, TOKEN } from './server-fixture.js';

let f: ServerFixture;
beforeAll(async () => { f = await openServerFixture({ token: TOKEN }); });
afterAll(async () => { await f?.close(); });

test('smoke', async () => {
  for (const url of ['/api/health', '/api/graph', '/api/graph?focus=daily_stats&depth=1', '/api/assets/daily_stats', '/api/assets/staions', '/api/assets/daily_stats/preview?limit=3', '/api/runs', '/']) {
    const r = await f.app.inject({ url });
    console.log(url, r.statusCode, r.body.slice(0, 1500));
  }
});
