import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { type AddressInfo, connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isShopflowError, PII_MASK } from '../../../framework/index.js';
import { createServer } from '../../../server/create-server.js';
import { silentLog, tempHome } from '../../support/example-runtime.js';
import { eventually, openServerFixture, type ServerFixture, TOKEN } from './server-fixture.js';

const json = { 'content-type': 'application/json' };
const bearer = { authorization: `Bearer ${TOKEN}` };

function post(fixture: ServerFixture, url: string, headers: Record<string, string>, body: unknown = {}) {
  return fixture.app.inject({
    method: 'POST',
    url,
    headers: { ...json, ...headers },
    payload: JSON.stringify(body),
  });
}

/** The session cookie `name=value` of a sign-in response, and its attributes. */
function sessionCookie(setCookie: string | string[] | undefined): { pair: string; attributes: string[] } {
  const header = Array.isArray(setCookie) ? setCookie[0] : (setCookie ?? '');
  const [pair, ...attributes] = header.split(';').map((p) => p.trim());
  return { pair, attributes };
}

/** Every GET endpoint that shows data, for one run and one asset. */
function readEndpoints(runId: string): string[] {
  return [
    '/api/graph',
    '/api/assets/stations',
    '/api/assets/stations/preview',
    '/api/runs',
    `/api/runs/${runId}`,
    `/api/runs/${runId}/summary`,
    `/api/runs/${runId}/events`,
    `/api/runs/${runId}/stream`,
  ];
}

describe('host names: answered only for loopback, --host and --allowed-host, token or not', () => {
  let open: ServerFixture;
  let guarded: ServerFixture;
  beforeAll(async () => {
    open = await openServerFixture({ materialize: 'stations' });
    guarded = await openServerFixture({
      token: TOKEN,
      materialize: 'stations',
      server: { host: '0.0.0.0', allowedHosts: ['shopflow.internal'] },
    });
  });
  afterAll(async () => {
    await open?.close();
    await guarded?.close();
  });

  test('a foreign Host is refused for reads, writes and the health probe, with and without a token', async () => {
    for (const [fixture, auth] of [
      [open, {}],
      [guarded, bearer],
    ] as const) {
      for (const url of ['/api/health', '/api/assets/stations/preview', '/', '/app.js']) {
        const response = await fixture.app.inject({ url, headers: { ...auth, host: 'evil.example:3000' } });
        expect(response.statusCode).toBe(403);
        expect(response.json().error.code).toBe('SF_FORBIDDEN');
        expect(response.json().error.message).toContain('evil.example:3000');
        expect(response.json().error.message).toContain('--allowed-host evil.example');
        expect(response.body).not.toContain('North');
      }
      // an attacker who controls both Host and Origin (DNS rebinding) passes neither check
      const rebound = await post(fixture, '/api/plan', {
        ...auth,
        host: 'evil.example:3000',
        origin: 'http://evil.example:3000',
      });
      expect(rebound.statusCode).toBe(403);
    }
  });

  test('loopback names, the --allowed-host names and a non-wildcard --host are answered', async () => {
    for (const host of ['localhost:3000', '127.0.0.1:3000', '[::1]:3000', 'app.localhost']) {
      expect((await open.app.inject({ url: '/api/health', headers: { host } })).statusCode).toBe(200);
    }
    expect(
      (await open.app.inject({ url: '/api/health', headers: { host: 'shopflow.internal' } })).statusCode,
    ).toBe(403);
    for (const host of ['shopflow.internal:3000', 'SHOPFLOW.internal', 'localhost:3000']) {
      const response = await guarded.app.inject({ url: '/api/graph', headers: { ...bearer, host } });
      expect(response.statusCode).toBe(200);
    }
    // 0.0.0.0 is a wildcard, not a name: it is not answered for
    const wildcard = await guarded.app.inject({ url: '/api/health', headers: { host: '0.0.0.0:3000' } });
    expect(wildcard.statusCode).toBe(403);
    const named = createServer({
      runtime: open.runtime,
      host: '192.168.1.20',
      port: 0,
      log: silentLog,
      token: TOKEN,
    });
    try {
      expect(
        (await named.inject({ url: '/api/health', headers: { host: '192.168.1.20:3000' } })).statusCode,
      ).toBe(200);
      expect(
        (await named.inject({ url: '/api/health', headers: { host: '192.168.1.21:3000' } })).statusCode,
      ).toBe(403);
    } finally {
      await named.close();
    }
  });

  test('a path the router cannot read is still checked for its host and answered with the security headers', async () => {
    const foreign = await guarded.app.inject({ url: '/api/x%zz', headers: { host: 'evil.example:3000' } });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json().error.code).toBe('SF_FORBIDDEN');
    expect(foreign.headers['content-security-policy']).toBeDefined();
    const local = await guarded.app.inject({ url: '/api/x%zz', headers: { host: 'localhost:3000' } });
    expect(local.statusCode).toBe(400);
    expect(local.json().error).toEqual({
      code: 'SF_BAD_USAGE',
      message: 'the path is not a valid URL (a malformed percent-escape)',
    });
    expect(local.headers['x-frame-options']).toBeDefined();
  });

  test('a request target in absolute form is answered only when the host it names is allowed', async () => {
    const server = createServer({
      runtime: guarded.runtime,
      token: TOKEN,
      host: '127.0.0.1',
      port: 0,
      log: silentLog,
    });
    try {
      await server.listen({ host: '127.0.0.1', port: 0 });
      const { port } = server.server.address() as AddressInfo;
      const ask = (target: string) =>
        new Promise<string>((resolve, reject) => {
          const socket = connect(port, '127.0.0.1', () =>
            socket.end(
              `GET ${target} HTTP/1.1\r\nHost: localhost:${port}\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`,
            ),
          );
          let text = '';
          socket.on('data', (chunk) => {
            text += chunk;
          });
          socket.on('end', () => resolve(text));
          socket.on('error', reject);
        });
      const foreign = await ask('http://evil.example/api/runs');
      expect(foreign).toMatch(/^HTTP\/1\.1 403 /);
      expect(foreign).toContain('evil.example');
      expect(await ask(`http://localhost:${port}/api/runs`)).toMatch(/^HTTP\/1\.1 200 /);
      expect(await ask('/api/runs')).toMatch(/^HTTP\/1\.1 200 /);
    } finally {
      await server.close();
    }
  });

  test('an Origin must be this server, even when its name is allowed', async () => {
    const headers = { ...bearer, host: 'shopflow.internal:3000' };
    const same = await post(guarded, '/api/plan', { ...headers, origin: 'http://shopflow.internal:3000' });
    expect(same.statusCode).toBe(200);
    for (const origin of [
      'http://evil.example:3000',
      'http://localhost:3000',
      'http://shopflow.internal:4000',
      'null',
      'file://',
    ]) {
      const response = await post(guarded, '/api/plan', { ...headers, origin });
      expect(response.statusCode).toBe(403);
      expect(response.json().error.message).toContain(origin);
    }
  });

  test('an allowed host that is not a host name is refused at start', () => {
    for (const name of [
      'http://shopflow.internal',
      'shopflow.internal:3000',
      'bad name',
      '*.example.com',
      '',
    ]) {
      let caught: unknown;
      try {
        createServer({
          runtime: open.runtime,
          host: '127.0.0.1',
          port: 0,
          log: silentLog,
          allowedHosts: [name],
        });
      } catch (error) {
        caught = error;
      }
      expect(isShopflowError(caught, 'SF_BAD_USAGE')).toBe(true);
      expect((caught as Error).message).toContain(`\`${name}\``);
    }
  });
});

describe('a server with a token guards every read', () => {
  let f: ServerFixture;
  let runId: string;
  beforeAll(async () => {
    f = await openServerFixture({ token: TOKEN, materialize: 'stations', example: { piiNames: true } });
    [{ id: runId }] = await f.runtime.store.listRuns({ limit: 1 });
  });
  afterAll(async () => {
    await f?.close();
  });

  test('without the token every API request but the health probe and sign-in is a 401', async () => {
    for (const url of readEndpoints(runId)) {
      const response = await f.app.inject({ url });
      expect(response.statusCode, url).toBe(401);
      expect(response.json().error.code).toBe('SF_UNAUTHORIZED');
      expect(response.json().error.message).toContain('sign in');
      expect(response.body).not.toContain('North');
    }
    for (const url of ['/api/plan', '/api/runs', `/api/runs/${runId}/retry`]) {
      expect((await post(f, url, {})).statusCode, url).toBe(401);
    }
    expect((await f.app.inject({ url: '/api/health' })).statusCode).toBe(200);
    expect((await f.app.inject({ url: '/api/session' })).json()).toMatchObject({
      tokenRequired: true,
      signedIn: false,
      canRead: false,
      canLaunch: false,
    });
    // the page itself (no data) loads, so it can ask for the token
    expect((await f.app.inject({ url: '/' })).statusCode).toBe(200);
  });

  test('a path spelled with percent-escapes is guarded like the route the router decodes it to', async () => {
    const before = (await f.runtime.store.listRuns()).length;
    for (const url of [
      '/%61pi/runs',
      '/%61pi/graph',
      `/api/%72uns/${runId}`,
      '/%61pi/assets/stations/preview',
      '/%6detrics',
    ]) {
      const response = await f.app.inject({ url });
      expect(response.statusCode, url).toBe(401);
      expect(response.body).not.toContain('North');
      expect((await f.app.inject({ url, headers: bearer })).statusCode, url).toBe(200);
    }
    for (const url of ['/%61pi/runs', `/%61pi/runs/${runId}/retry`, '/api/%72uns']) {
      expect((await post(f, url, {}, { selection: 'stations', force: true })).statusCode, url).toBe(401);
    }
    expect((await f.runtime.store.listRuns()).length).toBe(before);
    // an API path no route answers needs the token too: without it, it says nothing about what exists
    for (const url of ['/api/no-such-endpoint', '/%61pi/no-such-endpoint']) {
      expect((await f.app.inject({ url })).statusCode, url).toBe(401);
      expect((await f.app.inject({ url, headers: bearer })).statusCode, url).toBe(404);
    }
  });

  test('with the bearer token every read is answered; a wrong one is a 401 that never echoes it', async () => {
    for (const url of readEndpoints(runId)) {
      expect((await f.app.inject({ url, headers: bearer })).statusCode, url).toBe(200);
    }
    const wrong = await f.app.inject({
      url: '/api/graph',
      headers: { authorization: 'Bearer not-the-token-at-all' },
    });
    expect(wrong.statusCode).toBe(401);
    const scheme = await f.app.inject({ url: '/api/graph', headers: { authorization: `Basic ${TOKEN}` } });
    expect(scheme.statusCode).toBe(401);
    for (const response of [wrong, scheme]) expect(response.body).not.toContain(TOKEN);
  });

  test('data previews mask columns classified as personal data, for every caller', async () => {
    const preview = (await f.app.inject({ url: '/api/assets/stations/preview', headers: bearer })).json();
    expect(preview.columns.find((c: { name: string }) => c.name === 'name')).toMatchObject({
      class: 'pii',
      masked: true,
    });
    expect(preview.rows.map((r: { name: string; country: string }) => [r.name, r.country])).toEqual([
      [PII_MASK, 'DE'],
      [PII_MASK, 'FR'],
      [PII_MASK, 'PL'],
    ]);
    // no parameter of the API unmasks
    const asked = await f.app.inject({ url: '/api/assets/stations/preview?unmask=true', headers: bearer });
    expect(asked.statusCode).toBe(400);
    expect(asked.body).not.toContain('North');
  });

  test("the quarantined rows a write samples are masked in the asset's latest materialization", async () => {
    const [latest] = await f.runtime.store.listMaterializations({ assetKey: 'stations', limit: 1 });
    await f.runtime.store.recordMaterialization({
      runId: latest.runId,
      assetKey: 'stations',
      partitionKey: null,
      dataVersion: 'with-quarantine',
      codeVersion: latest.codeVersion,
      rowCount: 3,
      metadata: {
        rowCount: 3,
        quarantined: {
          name_known: {
            rows: 2,
            sample: [{ station_id: 9, name: 'Northpole Hut', country: 'NO' }, 'Norway'],
          },
        },
        rejectedSample: [
          {
            row: 4,
            reason: 'unknown country',
            values: { station_id: 11, name: 'Northwind Mast', country: 'XX' },
          },
        ],
      },
      inputs: [],
      createdAt: new Date().toISOString(),
    });
    const detail = await f.app.inject({ url: '/api/assets/stations', headers: bearer });
    expect(detail.statusCode).toBe(200);
    const quarantined = detail.json().latest.metadata.quarantined.name_known;
    expect(quarantined.rows).toBe(2);
    expect(quarantined.sample).toEqual([
      { station_id: 9, name: PII_MASK, country: 'NO' },
      { value: 'Norway' },
    ]);
    expect(detail.json().latest.metadata.rejectedSample).toEqual([
      { row: 4, reason: 'unknown country', values: { station_id: 11, name: PII_MASK, country: 'XX' } },
    ]);
    expect(detail.body).not.toContain('Northpole');
    expect(detail.body).not.toContain('Northwind');
  });

  test('signing in sets an HttpOnly, SameSite=Strict session cookie that opens reads and launching; signing out ends it', async () => {
    const wrong = await post(f, '/api/session', {}, { token: 'not-the-token-0123456789' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const signIn = await post(f, '/api/session', {}, { token: TOKEN });
    expect(signIn.statusCode).toBe(200);
    expect(signIn.json()).toMatchObject({ signedIn: true, canRead: true, canLaunch: true });
    expect(signIn.body).not.toContain(TOKEN);
    const { pair, attributes } = sessionCookie(signIn.headers['set-cookie']);
    expect(pair).toMatch(/^shopflow_session=[A-Za-z0-9_-]{40,}$/);
    expect(pair).not.toContain(TOKEN);
    expect(attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/']));
    expect(attributes).not.toContain('Secure');
    const cookie = { cookie: pair };
    for (const url of readEndpoints(runId)) {
      expect((await f.app.inject({ url, headers: cookie })).statusCode, url).toBe(200);
    }
    expect((await f.app.inject({ url: '/api/session', headers: cookie })).json()).toMatchObject({
      signedIn: true,
      via: 'session',
    });
    const launched = await post(f, '/api/runs', cookie, { selection: 'stations', force: true });
    expect(launched.statusCode).toBe(202);
    await eventually(async () => (await f.runtime.store.getRun(launched.json().runId))?.status === 'success');

    const signOut = await f.app.inject({ method: 'DELETE', url: '/api/session', headers: cookie });
    expect(signOut.statusCode).toBe(200);
    expect(sessionCookie(signOut.headers['set-cookie']).attributes).toContain('Max-Age=0');
    const after = await f.app.inject({ url: '/api/graph', headers: cookie });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.message).toContain('session has ended');
    const forged = await f.app.inject({
      url: '/api/graph',
      headers: { cookie: `shopflow_session=${TOKEN}` },
    });
    expect(forged.statusCode).toBe(401);
  });

  test('wrong tokens are limited per client address, and logged without the token', async () => {
    const attacker = '10.0.0.66';
    const other = '10.0.0.77';
    const attempt = (remoteAddress: string, token: string) =>
      f.app.inject({
        method: 'POST',
        url: '/api/session',
        headers: json,
        payload: JSON.stringify({ token }),
        remoteAddress,
      });
    for (let i = 0; i < 5; i++)
      expect((await attempt(attacker, `guess-number-${i}-abcdefgh`)).statusCode).toBe(401);
    const locked = await attempt(attacker, TOKEN);
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('SF_TOO_MANY_ATTEMPTS');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    const lockedBearer = await f.app.inject({ url: '/api/graph', headers: bearer, remoteAddress: attacker });
    expect(lockedBearer.statusCode).toBe(429);
    // another address is not affected
    expect((await attempt(other, TOKEN)).statusCode).toBe(200);
    const log = f.logText();
    expect(log).toContain('wrong token from 10.0.0.66');
    expect(log).not.toContain(TOKEN);
    expect(log).not.toContain('guess-number');
  });

  test('the token never appears in the server log', () => {
    expect(f.logText()).not.toContain(TOKEN);
  });
});

describe('--public-read', () => {
  let f: ServerFixture;
  beforeAll(async () => {
    f = await openServerFixture({ token: TOKEN, materialize: 'stations', server: { publicRead: true } });
  });
  afterAll(async () => {
    await f?.close();
  });

  test('reads need no token, launching still does, and the session says so', async () => {
    const [{ id: runId }] = await f.runtime.store.listRuns({ limit: 1 });
    for (const url of readEndpoints(runId)) expect((await f.app.inject({ url })).statusCode, url).toBe(200);
    expect((await post(f, '/api/plan', {})).statusCode).toBe(200);
    const launch = await post(f, '/api/runs', {}, { selection: 'stations' });
    expect(launch.statusCode).toBe(401);
    for (const url of ['/%61pi/runs', '/api/%72uns', '/%61pi/schedules/any/pause']) {
      expect((await post(f, url, {}, { selection: 'stations' })).statusCode, url).toBe(401);
    }
    expect((await post(f, '/api/runs', bearer, { selection: 'stations', force: true })).statusCode).toBe(202);
    expect((await f.app.inject({ url: '/api/session' })).json()).toMatchObject({
      tokenRequired: true,
      publicRead: true,
      signedIn: false,
      canRead: true,
      canLaunch: false,
    });
    expect((await f.app.inject({ url: '/api/health' })).json()).toMatchObject({ publicRead: true });
  });
});

describe('POSTs', () => {
  let f: ServerFixture;
  beforeAll(async () => {
    f = await openServerFixture({ token: TOKEN, materialize: null });
  });
  afterAll(async () => {
    await f?.close();
  });

  test('must be JSON', async () => {
    const form = await f.app.inject({
      method: 'POST',
      url: '/api/runs',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...bearer },
      payload: 'selection=stations',
    });
    expect(form.statusCode).toBe(415);
    expect(form.json().error.code).toBe('SF_UNSUPPORTED_MEDIA_TYPE');
    expect(form.json().error.message).toContain('application/x-www-form-urlencoded');
    const none = await f.app.inject({ method: 'POST', url: '/api/plan', headers: bearer, payload: '{}' });
    expect(none.statusCode).toBe(415);
    expect(await f.runtime.store.listRuns()).toEqual([]);
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
    const response = await post(f, '/api/runs', bearer, { selection: 'stations' });
    expect(response.statusCode).toBe(403);
    expect(response.json().error).toEqual({
      code: 'SF_FORBIDDEN',
      message: expect.stringContaining('--read-only'),
    });
    expect(await f.runtime.store.listRuns()).toEqual([]);
    expect((await post(f, '/api/plan', bearer)).statusCode).toBe(200);
    expect((await f.app.inject({ url: '/api/health' })).json()).toMatchObject({
      readOnly: true,
      tokenRequired: true,
    });
  });
});

describe('no absolute path of this machine leaves the server; stack traces only for loopback clients', () => {
  let f: ServerFixture;
  let failedRun: string;
  beforeAll(async () => {
    // readings fails with a message quoting a file in the project and a file elsewhere on the machine
    f = await openServerFixture({
      token: TOKEN,
      materialize: 'readings',
      example: {
        failDays: ['2024-01-05'],
        failMessage: `cannot read ${join(process.cwd(), 'data', 'raw', 'extract.csv')} nor /var/lib/shopflow-data/feed/extract.csv`,
      },
    });
    failedRun = (await f.runtime.store.listRuns({ limit: 1 }))[0].id;
  });
  afterAll(async () => {
    await f?.close();
  });

  const machinePaths = () => [
    f.runtime.config.home,
    f.runtime.lakeRoot,
    process.cwd(),
    '/var/lib/shopflow-data',
  ];

  test('error bodies, run details, event pages and streams show project-relative or shortened paths', async () => {
    const bodies: string[] = [];
    for (const url of [
      `/api/runs/${failedRun}`,
      `/api/runs/${failedRun}/events?level=error`,
      `/api/runs/${failedRun}/stream`,
      '/api/assets/readings',
      '/api/graph',
      '/api/assets/readings/preview?partition=2024-01-05',
      '/api/assets/nothing',
      '/api/nothing/at/all',
    ]) {
      const response = await f.app.inject({ url, headers: bearer });
      bodies.push(response.body);
      for (const path of machinePaths()) expect(response.body, url).not.toContain(path);
    }
    const text = bodies.join('\n');
    expect(text).toContain('cannot read data/raw/extract.csv nor …/extract.csv');
    const plan = await post(f, '/api/plan', bearer, { selection: 'readings' });
    for (const path of machinePaths()) expect(plan.body).not.toContain(path);
  });

  test('a stack trace is sent to a client on this machine, scrubbed, and never to others', async () => {
    const local = (
      await f.app.inject({ url: `/api/runs/${failedRun}/events?type=step_failure`, headers: bearer })
    ).json();
    expect(local.events[0].stack).toContain('Error: cannot read');
    expect(local.events[0].stack).toMatch(/tests\/fixtures\/example-graph\.ts/);
    for (const path of machinePaths()) expect(JSON.stringify(local)).not.toContain(path);
    const remote = await f.app.inject({
      url: `/api/runs/${failedRun}/events?type=step_failure`,
      headers: bearer,
      remoteAddress: '10.1.2.3',
    });
    expect(remote.json().events[0].stack).toBeUndefined();
    expect(remote.json().events[0].message).toContain('cannot read');
    const remoteStream = await f.app.inject({
      url: `/api/runs/${failedRun}/stream`,
      headers: bearer,
      remoteAddress: '10.1.2.3',
    });
    expect(remoteStream.body).not.toContain('"stack"');
    expect(remoteStream.body).not.toContain('    at ');
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

  test('refuses weak tokens — short, only whitespace, one character repeated, surrounded by spaces — without quoting them', async () => {
    const f = await openServerFixture({ materialize: null });
    try {
      const weak: Array<[string, RegExp]> = [
        ['short', /fewer than 16/],
        [' '.repeat(24), /only whitespace/],
        ['\t \n'.repeat(8), /only whitespace/],
        ['a'.repeat(32), /one character repeated/],
        ['abab'.repeat(8), /only 2 different characters/],
        [` ${TOKEN} `, /starts or ends with whitespace/],
      ];
      for (const [token, message] of weak) {
        for (const host of ['127.0.0.1', '0.0.0.0']) {
          let caught: unknown;
          try {
            createServer({ runtime: f.runtime, host, port: 0, log: silentLog, token });
          } catch (error) {
            caught = error;
          }
          expect(isShopflowError(caught, 'SF_BAD_USAGE')).toBe(true);
          expect((caught as Error).message).toMatch(message);
          if (token.trim()) expect((caught as Error).message).not.toContain(token.trim());
        }
      }
    } finally {
      await f.close();
    }
  });
});

describe('over TLS', () => {
  let f: ServerFixture;
  let dir: ReturnType<typeof tempHome>;
  let port: number;
  beforeAll(async () => {
    dir = tempHome('shopflow-tls-');
    const key = join(dir.home, 'key.pem');
    const cert = join(dir.home, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
      ],
      { stdio: 'ignore' },
    );
    f = await openServerFixture({
      token: TOKEN,
      materialize: null,
      server: { tls: { key: readFileSync(key), cert: readFileSync(cert) } },
    });
    await f.app.listen({ host: '127.0.0.1', port: 0 });
    port = (f.app.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await f?.close();
    dir?.cleanup();
  });

  test('the session cookie is Secure', async () => {
    const setCookie = await new Promise<string[] | undefined>((resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/api/session',
          method: 'POST',
          headers: { ...json, host: `localhost:${port}` },
          rejectUnauthorized: false,
        },
        (response) => {
          response.resume();
          response.on('end', () =>
            resolve(response.statusCode === 200 ? response.headers['set-cookie'] : undefined),
          );
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ token: TOKEN }));
    });
    const { attributes } = sessionCookie(setCookie);
    expect(attributes).toEqual(expect.arrayContaining(['Secure', 'HttpOnly', 'SameSite=Strict']));
  });
});
