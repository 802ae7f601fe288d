import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isShopflowError } from '../../../framework/index.js';
import { createServer } from '../../../server/create-server.js';
import { silentLog } from '../../support/example-runtime.js';
import { eventually, openServerFixture, type ServerFixture, TOKEN } from './server-fixture.js';

const launch = { selection: 'stations' };

function request(
  fixture: ServerFixture,
  headers: Record<string, string>,
  body: unknown = launch,
  url = '/api/runs',
) {
  return fixture.app.inject({
    method: 'POST',
    url,
    headers,
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('a server with a token', () => {
  let f: ServerFixture;
  beforeAll(async () => {
    f = await openServerFixture({ token: TOKEN, materialize: null });
  });
  afterAll(async () => {
    await f?.close();
  });

  test('launching without a token, or with a wrong one, is a 401 that never echoes the token', async () => {
    const none = await request(f, { 'content-type': 'application/json' });
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe('SF_UNAUTHORIZED');
    expect(none.json().error.message).toContain('Authorization: Bearer');
    const wrong = await request(f, {
      'content-type': 'application/json',
      authorization: 'Bearer not-the-token-at-all',
    });
    expect(wrong.statusCode).toBe(401);
    const close = await request(f, {
      'content-type': 'application/json',
      authorization: `Bearer ${TOKEN.slice(0, -1)}x`,
    });
    expect(close.statusCode).toBe(401);
    const scheme = await request(f, { 'content-type': 'application/json', authorization: `Basic ${TOKEN}` });
    expect(scheme.statusCode).toBe(401);
    for (const response of [none, wrong, close, scheme]) expect(response.body).not.toContain(TOKEN);
    expect(await f.runtime.store.listRuns()).toEqual([]);
  });

  test('a cross-origin POST is a 403 even with the token; a same-origin one is accepted', async () => {
    const headers = {
      'content-type': 'application/json',
      authorization: `Bearer ${TOKEN}`,
      host: '127.0.0.1:3000',
    };
    const evil = await request(f, { ...headers, origin: 'http://evil.example' });
    expect(evil.statusCode).toBe(403);
    expect(evil.json().error).toMatchObject({ code: 'SF_FORBIDDEN' });
    expect(evil.json().error.message).toContain('http://evil.example');
    const otherPort = await request(f, { ...headers, origin: 'http://127.0.0.1:4000' });
    expect(otherPort.statusCode).toBe(403);
    const nullOrigin = await request(f, { ...headers, origin: 'null' });
    expect(nullOrigin.statusCode).toBe(403);
    const planFromElsewhere = await request(
      f,
      { 'content-type': 'application/json', origin: 'http://evil.example' },
      {},
      '/api/plan',
    );
    expect(planFromElsewhere.statusCode).toBe(403);
    expect(await f.runtime.store.listRuns()).toEqual([]);
    const same = await request(f, { ...headers, origin: 'http://127.0.0.1:3000' });
    expect(same.statusCode).toBe(202);
    await eventually(async () => (await f.runtime.store.getRun(same.json().runId))?.status === 'success');
  });

  test('POSTs must be JSON', async () => {
    const form = await request(
      f,
      { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${TOKEN}` },
      'selection=stations',
    );
    expect(form.statusCode).toBe(415);
    expect(form.json().error.code).toBe('SF_UNSUPPORTED_MEDIA_TYPE');
    expect(form.json().error.message).toContain('application/x-www-form-urlencoded');
    const text = await request(f, { 'content-type': 'text/plain' }, '{}', '/api/plan');
    expect(text.statusCode).toBe(415);
    const none = await f.app.inject({ method: 'POST', url: '/api/plan', payload: '{}' });
    expect(none.statusCode).toBe(415);
  });

  test('previewing a plan needs no token', async () => {
    const plan = await request(
      f,
      { 'content-type': 'application/json' },
      { selection: '+station_summary' },
      '/api/plan',
    );
    expect(plan.statusCode).toBe(200);
    expect(plan.json().steps.length).toBeGreaterThan(0);
  });

  test('with a token, requests for any host name are answered', async () => {
    const response = await f.app.inject({ url: '/api/health', headers: { host: 'shopflow.internal:3000' } });
    expect(response.statusCode).toBe(200);
  });

  test('the token never appears in the server log', () => {
    expect(f.logText()).not.toContain(TOKEN);
  });
});

describe('a read-only server', () => {
  let f: ServerFixture;
  beforeAll(async () => {
    f = await openServerFixture({ token: TOKEN, readOnly: true, materialize: null });
  });
  afterAll(async () => {
    await f?.close();
  });

  test('refuses to launch runs with a 403, even with the right token, but still plans', async () => {
    const response = await request(f, {
      'content-type': 'application/json',
      authorization: `Bearer ${TOKEN}`,
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().error).toEqual({
      code: 'SF_FORBIDDEN',
      message: expect.stringContaining('--read-only'),
    });
    expect(await f.runtime.store.listRuns()).toEqual([]);
    expect((await request(f, { 'content-type': 'application/json' }, {}, '/api/plan')).statusCode).toBe(200);
    expect((await f.app.inject({ url: '/api/health' })).json()).toMatchObject({
      readOnly: true,
      tokenRequired: true,
    });
  });
});

describe('a loopback server without a token', () => {
  let f: ServerFixture;
  beforeAll(async () => {
    f = await openServerFixture({ materialize: null });
  });
  afterAll(async () => {
    await f?.close();
  });

  test('launches without a token for loopback host names', async () => {
    const response = await request(f, { 'content-type': 'application/json', host: 'localhost:3000' });
    expect(response.statusCode).toBe(202);
    await eventually(async () => (await f.runtime.store.getRun(response.json().runId))?.status === 'success');
    expect(
      (await f.app.inject({ url: '/api/health', headers: { host: '127.0.0.1:3000' } })).json().tokenRequired,
    ).toBe(false);
    expect((await f.app.inject({ url: '/api/health', headers: { host: '[::1]:3000' } })).statusCode).toBe(
      200,
    );
  });

  test('refuses other host names (DNS rebinding), for reads and writes', async () => {
    const read = await f.app.inject({ url: '/api/graph', headers: { host: 'rebound.example:3000' } });
    expect(read.statusCode).toBe(403);
    expect(read.json().error.message).toContain('rebound.example:3000');
    const write = await request(f, {
      'content-type': 'application/json',
      host: 'rebound.example:3000',
      origin: 'http://rebound.example:3000',
    });
    expect(write.statusCode).toBe(403);
  });
});

describe('starting a server', () => {
  test('refuses a non-loopback host without a token, naming the host and the fix', async () => {
    const f = await openServerFixture({ materialize: null });
    try {
      for (const host of ['0.0.0.0', '::', '192.168.1.20']) {
        let caught: unknown;
        try {
          createServer({ runtime: f.runtime, host, port: 0, log: silentLog });
        } catch (error) {
          caught = error;
        }
        expect(isShopflowError(caught, 'SF_BAD_USAGE')).toBe(true);
        expect((caught as Error).message).toContain(`\`${host}\``);
        expect((caught as Error).message).toContain('SHOPFLOW_UI_TOKEN');
        expect((caught as Error).message).toContain('--host 127.0.0.1');
      }
      expect(() =>
        createServer({ runtime: f.runtime, host: '0.0.0.0', port: 0, log: silentLog, token: 'short' }),
      ).toThrow(/fewer than 16/);
      const open = createServer({
        runtime: f.runtime,
        host: '0.0.0.0',
        port: 0,
        log: silentLog,
        token: TOKEN,
      });
      await open.close();
    } finally {
      await f.close();
    }
  });
});
