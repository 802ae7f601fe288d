import { afterAll, beforeAll, expect, test } from 'vitest';
import { syntheticAssets } from '../../../bench/server-bench.js';
import { defineDefinitions, type ShopflowRuntime } from '../../../framework/index.js';
import { createServer } from '../../../server/create-server.js';
import { openTestRuntime, silentLog, tempHome } from '../../support/example-runtime.js';

let home: ReturnType<typeof tempHome>;
let runtime: ShopflowRuntime;
let app: ReturnType<typeof createServer>;

beforeAll(async () => {
  home = tempHome('shopflow-layout-api-');
  runtime = await openTestRuntime(defineDefinitions({ assets: syntheticAssets(1000) }), home.home);
  app = createServer({ runtime, host: '127.0.0.1', port: 0, log: silentLog });
});
afterAll(async () => {
  await app?.close();
  await runtime?.close();
  home?.cleanup();
});

test('a 1,000-asset graph is laid out by neighbourhood or with groups collapsed, never all at once', async () => {
  const whole = await app.inject({ url: '/api/graph/layout' });
  expect(whole.statusCode).toBe(400);
  expect(whole.json().error).toMatchObject({
    code: 'SF_BAD_USAGE',
    message: expect.stringMatching(
      /^the graph shown would have 1000 nodes, more than the 400 laid out at once; /,
    ),
    hint: expect.stringContaining('focus=KEY&depth=N'),
  });

  const focus = (await app.inject({ url: '/api/graph/layout?focus=asset_0500&depth=2' })).json();
  const neighbourhood = (await app.inject({ url: '/api/graph?focus=asset_0500&depth=2' })).json();
  expect(Object.keys(focus.nodes).sort()).toEqual(
    neighbourhood.nodes.map((n: { key: string }) => n.key).sort(),
  );
  expect(focus).toMatchObject({ focus: 'asset_0500', depth: 2 });

  const groups = [...new Set(runtime.graph.assets.map((a) => a.group))];
  const collapsed = (await app.inject({ url: `/api/graph/layout?collapsed=${groups.join(',')}` })).json();
  expect(Object.keys(collapsed.nodes).sort()).toEqual(groups.map((g) => `group:${g}`).sort());
  expect(collapsed.groups).toEqual([]);

  const unknown = await app.inject({ url: '/api/graph/layout?focus=asset_05000' });
  expect(unknown.statusCode).toBe(404);
  expect(unknown.json().error.code).toBe('SF_UNKNOWN_ASSET');
});
