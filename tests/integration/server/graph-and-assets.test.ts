import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { summarizeAssetStatus } from '../../../framework/index.js';
import { NOW, openServerFixture, type ServerFixture, TOKEN } from './server-fixture.js';

let f: ServerFixture;

beforeAll(async () => {
  // readings[2024-01-05] fails, so daily_stats[2024-01-05] is skipped; stations is materialized on its own.
  f = await openServerFixture({ token: TOKEN });
  await f.runtime.execute(await f.runtime.plan({ selection: 'stations' }));
});
afterAll(async () => {
  await f?.close();
});

const bearer = { authorization: `Bearer ${TOKEN}` };

async function get(url: string) {
  const response = await f.app.inject({ url, headers: bearer });
  return { status: response.statusCode, body: response.json(), headers: response.headers };
}

describe('GET /api/graph', () => {
  test('every asset with the status summarizeAssetStatus gives, and every edge', async () => {
    const { status, body } = await get('/api/graph');
    expect(status).toBe(200);
    const expected = summarizeAssetStatus(f.runtime.graph, await f.runtime.store.listPlannerStates(), NOW);
    expect(body.nodes.map((n: { key: string }) => n.key)).toEqual(f.runtime.graph.toposorted());
    for (const node of body.nodes) {
      const summary = expected.get(node.key)!;
      expect(node.status).toBe(summary.status);
      expect(node.partitions).toEqual({
        total: summary.partitions,
        materialized: summary.materialized,
        fresh: summary.fresh,
        stale: summary.stale,
        overdue: summary.overdue,
        missing: summary.missing,
        failed: summary.failed,
        running: summary.running,
        planned: summary.planned,
      });
      expect(node.lastMaterializedAt).toBe(summary.lastMaterializedAt);
    }
    const byKey = Object.fromEntries(body.nodes.map((n: { key: string }) => [n.key, n]));
    expect(byKey.stations.status).toBe('fresh');
    expect(byKey.stations.reason).toBe('');
    expect(byKey.readings.status).toBe('failed');
    expect(byKey.readings.reason).toContain('2024-01-05');
    expect(byKey.readings.reason).toContain('source has no file for 2024-01-05');
    expect(byKey.daily_stats.status).toBe('stale');
    expect(byKey.weekly_stats.status).toBe('missing');
    expect(byKey.readings).toMatchObject({
      group: 'raw',
      kind: 'lake-table',
      checks: 1,
      partitioned: 'daily from 2024-01-01 (UTC)',
    });
    expect(byKey.stations.tags).toEqual(['reference']);
    expect(body.edges).toContainEqual({ from: 'readings', to: 'daily_stats' });
    expect(body.edges).toContainEqual({ from: 'stations', to: 'station_summary' });
    expect(body.edges).toHaveLength(4);
    expect(body).toMatchObject({
      totalAssets: 6,
      groups: ['derived', 'raw', 'reference'],
      focus: null,
      computedAt: NOW.toISOString(),
    });
  });

  test('the whole graph is gzipped for clients that accept it', async () => {
    const plain = await f.app.inject({ url: '/api/graph', headers: bearer });
    const zipped = await f.app.inject({
      url: '/api/graph',
      headers: { ...bearer, 'accept-encoding': 'gzip, deflate' },
    });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(gunzipSync(zipped.rawPayload).toString('utf8'))).toEqual(plain.json());
  });

  test('focus keeps only the assets within depth hops upstream and downstream', async () => {
    const one = await get('/api/graph?focus=daily_stats&depth=1');
    expect(one.status).toBe(200);
    expect(one.body.nodes.map((n: { key: string }) => n.key).sort()).toEqual([
      'daily_stats',
      'readings',
      'station_summary',
      'weekly_stats',
    ]);
    expect(one.body.edges).not.toContainEqual({ from: 'stations', to: 'station_summary' });
    expect(one.body).toMatchObject({ focus: 'daily_stats', depth: 1, totalAssets: 6 });
    const zero = await get('/api/graph?focus=stations&depth=0');
    expect(zero.body.nodes.map((n: { key: string }) => n.key)).toEqual(['stations']);
    const deeper = await get('/api/graph?focus=readings&depth=2');
    expect(deeper.body.nodes.map((n: { key: string }) => n.key).sort()).toEqual([
      'daily_stats',
      'readings',
      'station_summary',
      'weekly_stats',
    ]);
  });

  test('group keeps one group', async () => {
    const { body } = await get('/api/graph?group=reference');
    expect(body.nodes.map((n: { key: string }) => n.key).sort()).toEqual(['notes', 'stations']);
    expect(body.edges).toEqual([]);
  });

  test('an unknown focus is a 404 with a did-you-mean; a bad group, depth or parameter a 400', async () => {
    const focus = await get('/api/graph?focus=daily_stat');
    expect(focus.status).toBe(404);
    expect(focus.body.error.code).toBe('SF_UNKNOWN_ASSET');
    expect(focus.body.error.message).toContain('did you mean `daily_stats`');
    const group = await get('/api/graph?group=derivd');
    expect(group.status).toBe(400);
    expect(group.body.error).toMatchObject({ code: 'SF_BAD_SELECTION' });
    expect(group.body.error.message).toContain('did you mean `derived`');
    const depth = await get('/api/graph?focus=readings&depth=two');
    expect(depth.status).toBe(400);
    expect(depth.body.error.code).toBe('SF_BAD_USAGE');
    expect(depth.body.error.message).toContain('`depth` is "two"');
    const orphan = await get('/api/graph?depth=2');
    expect(orphan.status).toBe(400);
    expect(orphan.body.error.message).toContain('focus');
    const unknown = await get('/api/graph?foucs=readings');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('unknown query parameter `foucs`');
  });
});

describe('GET /api/assets/:key', () => {
  test('definition, schema, status, partitions, latest materialization with lineage, history', async () => {
    const { status, body } = await get('/api/assets/daily_stats');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      key: 'daily_stats',
      group: 'derived',
      description: 'Daily min/max/mean temperature per station.',
      codeVersion: '1',
      status: 'stale',
      partitions: { kind: 'time-window', description: 'daily from 2024-01-01 (UTC)' },
      upstream: [{ name: 'readings', assetKey: 'readings', mapping: expect.any(String) }],
      downstream: ['station_summary', 'weekly_stats'],
      counts: {
        total: 7,
        materialized: 6,
        fresh: 6,
        stale: 0,
        overdue: 0,
        missing: 1,
        failed: 0,
        running: 0,
        planned: 1,
      },
    });
    expect(body.reason).toMatch(/^2024-01-05: never materialized/);
    expect(body.columns.map((c: { name: string }) => c.name)).toEqual([
      'station_id',
      'min_t',
      'max_t',
      'mean_t',
    ]);
    expect(body.columns[0]).toEqual({
      name: 'station_id',
      type: 'BIGINT',
      nullable: false,
      description: '',
      pii: false,
      piiKind: null,
      mask: null,
      classification: 'internal',
      classificationReason: null,
      classSource: 'inherited',
      computedFrom: [{ asset: 'readings', column: 'station_id', how: 'identity' }],
    });
    expect(body.columns[2]).toMatchObject({
      name: 'max_t',
      computedFrom: [{ asset: 'readings', column: 'temperature', how: 'aggregation' }],
    });
    expect(body.partitionStates).toHaveLength(7);
    const states = Object.fromEntries(
      body.partitionStates.map((c: { key: string; state: string }) => [c.key, c.state]),
    );
    expect(states['2024-01-05']).toBe('missing');
    expect(states['2024-01-04']).toBe('fresh');
    expect(body.partitionStates.filter((c: { materialized: boolean }) => c.materialized)).toHaveLength(6);
    expect(body.history).toHaveLength(6);
    for (const m of body.history) {
      expect(m.rowCount).toBe(3);
      expect(typeof m.durationMs).toBe('number');
    }
    expect(body.latest.inputs).toHaveLength(1);
    expect(body.latest.inputs[0]).toMatchObject({
      assetKey: 'readings',
      partitionKey: body.latest.partitionKey,
      current: true,
    });
    expect(body.checks).toEqual([]);
  });

  test('per-partition failure and check results', async () => {
    const readings = (await get('/api/assets/readings')).body;
    const failed = readings.partitionStates.find((c: { key: string }) => c.key === '2024-01-05');
    expect(failed.state).toBe('failed');
    expect(failed.reason).toContain('source has no file');
    expect(readings.checks).toHaveLength(1);
    expect(readings.checks[0]).toMatchObject({
      name: 'temperature_plausible',
      severity: 'error',
      passing: 6,
      failing: 0,
    });
    expect(readings.checks[0].latest.passed).toBe(true);
    const stations = (await get('/api/assets/stations')).body;
    expect(stations.partitionStates).toEqual([
      expect.objectContaining({ key: null, state: 'fresh', materialized: true, rowCount: 3 }),
    ]);
    const summary = (await get('/api/assets/station_summary')).body;
    expect(summary.checks[0]).toMatchObject({
      name: 'three_stations',
      severity: 'warn',
      latest: null,
      passing: 0,
      failing: 0,
    });
    expect(summary.partitionStates).toEqual([expect.objectContaining({ key: null, state: 'missing' })]);
  });

  test('an unknown asset is a 404 naming it with a did-you-mean', async () => {
    const { status, body } = await get('/api/assets/staions');
    expect(status).toBe(404);
    expect(body.error.code).toBe('SF_UNKNOWN_ASSET');
    expect(body.error.message).toBe('unknown asset `staions`; did you mean `stations`?');
  });
});

describe('GET /api/assets/:key/preview', () => {
  test('columns and rows of the latest partition, or of the one asked for', async () => {
    const latest = await get('/api/assets/readings/preview?limit=5');
    expect(latest.status).toBe(200);
    // NOTE: "latest" is the most recently recorded materialization; with parallel steps that need
    // not be the latest partition key.
    const [newest] = await f.runtime.store.listMaterializations({ assetKey: 'readings', limit: 1 });
    expect(latest.body.partitionKey).toBe(newest.partitionKey);
    expect(latest.body.columns.map((c: { name: string }) => c.name)).toEqual([
      'station_id',
      'hour',
      'temperature',
    ]);
    expect(latest.body.rows).toHaveLength(5);
    const one = await get('/api/assets/daily_stats/preview?partition=2024-01-02');
    expect(one.body.partitionKey).toBe('2024-01-02');
    expect(one.body.rows).toHaveLength(3);
    const plain = await get('/api/assets/stations/preview');
    expect(plain.body.rows.map((r: { name: string }) => r.name)).toEqual(['North', 'South', 'East']);
  });

  test('a bad partition is a 400; an unmaterialized one a 404; bad limits a 400', async () => {
    const bad = await get('/api/assets/readings/preview?partition=2024-13-45');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('SF_BAD_PARTITION');
    expect(bad.body.error.message).toContain('2024-13-45');
    const future = await get('/api/assets/readings/preview?partition=2024-02-01');
    expect(future.status).toBe(400);
    expect(future.body.error.code).toBe('SF_BAD_PARTITION');
    const unpartitioned = await get('/api/assets/stations/preview?partition=2024-01-01');
    expect(unpartitioned.status).toBe(400);
    expect(unpartitioned.body.error.message).toContain('not partitioned');
    const missing = await get('/api/assets/readings/preview?partition=2024-01-05');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('SF_NOT_MATERIALIZED');
    expect(missing.body.error.message).toContain('partition `2024-01-05` of asset `readings`');
    const never = await get('/api/assets/weekly_stats/preview');
    expect(never.status).toBe(404);
    expect(never.body.error.code).toBe('SF_NOT_MATERIALIZED');
    const limit = await get('/api/assets/readings/preview?limit=0');
    expect(limit.status).toBe(400);
    expect(limit.body.error.message).toContain('`limit` is "0"');
  });
});

test('GET /api/health', async () => {
  const { status, body } = await get('/api/health');
  expect(status).toBe(200);
  expect(body).toEqual({
    status: 'ok',
    assets: 6,
    store: 'sqlite',
    readOnly: false,
    tokenRequired: true,
    publicRead: false,
    runsInProgress: 0,
  });
});

test('the page and its modules are served with a strict content security policy', async () => {
  const page = await f.app.inject({ url: '/' });
  expect(page.statusCode).toBe(200);
  expect(page.headers['content-type']).toContain('text/html');
  expect(page.body).toContain('<script type="module" src="/app.js"></script>');
  expect(page.headers['content-security-policy']).toContain("script-src 'self'");
  const module = await f.app.inject({ url: '/minimap.js' });
  expect(module.statusCode).toBe(200);
  expect(module.headers['content-type']).toContain('javascript');
  expect(module.headers['content-security-policy']).toContain("default-src 'self'");
  const missing = await get('/api/nothing');
  expect(missing.status).toBe(404);
  expect(missing.body.error.code).toBe('SF_NOT_FOUND');
});
