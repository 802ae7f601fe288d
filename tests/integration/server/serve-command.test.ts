import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { type CommandContext, isShopflowError, type ShopflowRuntime } from '../../../framework/index.js';
import { createServer } from '../../../server/create-server.js';
import { listenUntilStopped } from '../../../server/listen-until-stopped.js';
import { serveCommand } from '../../../server/serve-command.js';
import { silentLog, testConfig } from '../../support/example-runtime.js';
import { eventually, openServerFixture, type ServerFixture, TOKEN } from './server-fixture.js';

function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      text += String(chunk);
      callback();
    },
  });
  return { stream, text: () => text };
}

/** The status of a GET sent with another `Host` header (fetch does not allow setting it). */
async function fetchWithHost(url: string, host: string): Promise<number> {
  const { request } = await import('node:http');
  const target = new URL(url);
  return await new Promise((resolve, reject) => {
    const req = request(
      { host: target.hostname, port: target.port, path: target.pathname, headers: { host } },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function contextFor(
  runtime: () => Promise<ShopflowRuntime>,
  stdout = sink(),
  stderr = sink(),
): CommandContext {
  const config = testConfig('unused');
  return {
    config,
    home: config.home,
    log: silentLog,
    stdout: stdout.stream,
    stderr: stderr.stream,
    json: false,
    cwd: process.cwd(),
    runtime,
    resource: () => Promise.reject(new Error('no resources in this test')),
  };
}

const savedToken = process.env.SHOPFLOW_UI_TOKEN;
afterEach(() => {
  if (savedToken === undefined) delete process.env.SHOPFLOW_UI_TOKEN;
  else process.env.SHOPFLOW_UI_TOKEN = savedToken;
});

describe('the serve command', () => {
  let f: ServerFixture;
  beforeAll(async () => {
    f = await openServerFixture({ materialize: null });
  });
  afterAll(async () => {
    await f?.close();
  });

  test('declares --port, --host, --allowed-host, --read-only, --public-read and TLS files', () => {
    expect(serveCommand.name).toBe('serve');
    expect(serveCommand.options).toEqual([
      expect.objectContaining({ flags: '--port <port>', defaultValue: '3000' }),
      expect.objectContaining({ flags: '--host <host>', defaultValue: '127.0.0.1' }),
      expect.objectContaining({ flags: '--allowed-host <names...>' }),
      expect.objectContaining({ flags: '--read-only' }),
      expect.objectContaining({ flags: '--public-read' }),
      expect.objectContaining({ flags: '--tls-cert <file>' }),
      expect.objectContaining({ flags: '--tls-key <file>' }),
    ]);
  });

  test('refuses a whitespace or repeated-character SHOPFLOW_UI_TOKEN, --public-read without a token, and half a TLS pair', async () => {
    const context = contextFor(async () => f.runtime);
    for (const token of [' '.repeat(30), 'x'.repeat(30)]) {
      process.env.SHOPFLOW_UI_TOKEN = token;
      const error = await serveCommand
        .run(context, [], { port: '0', host: '127.0.0.1' })
        .catch((e: unknown) => e);
      expect(isShopflowError(error, 'SF_BAD_USAGE')).toBe(true);
      expect((error as Error).message).toContain('SHOPFLOW_UI_TOKEN');
    }
    delete process.env.SHOPFLOW_UI_TOKEN;
    const publicRead = await serveCommand
      .run(context, [], { port: '0', host: '127.0.0.1', publicRead: true })
      .catch((e: unknown) => e);
    expect((publicRead as Error).message).toContain('--public-read needs SHOPFLOW_UI_TOKEN');
    const half = await serveCommand
      .run(context, [], { port: '0', host: '127.0.0.1', tlsCert: 'cert.pem' })
      .catch((e: unknown) => e);
    expect((half as Error).message).toContain('--tls-cert was given without --tls-key');
  });

  test('answers the host names of server.allowedHosts and --allowed-host', async () => {
    process.env.SHOPFLOW_UI_TOKEN = TOKEN;
    const stdout = sink();
    const context = contextFor(async () => f.runtime, stdout);
    context.config.server.allowedHosts = ['from-config.internal'];
    const running = serveCommand.run(context, [], {
      port: '0',
      host: '127.0.0.1',
      allowedHost: ['from-flag.internal', 'second.internal'],
    });
    const url = await eventually(async () => /http:\/\/127\.0\.0\.1:\d+\//.exec(stdout.text())?.[0]);
    const status = async (host: string) => await fetchWithHost(`${url}api/health`, host);
    expect(await status('from-config.internal')).toBe(200);
    expect(await status('from-flag.internal')).toBe(200);
    expect(await status('second.internal')).toBe(200);
    expect(await status('elsewhere.internal')).toBe(403);
    process.emit('SIGTERM', 'SIGTERM');
    expect(await running).toBe(0);
  });

  test('refuses 0.0.0.0 without SHOPFLOW_UI_TOKEN before opening anything', async () => {
    delete process.env.SHOPFLOW_UI_TOKEN;
    let opened = false;
    const context = contextFor(async () => {
      opened = true;
      return f.runtime;
    });
    const error = await serveCommand
      .run(context, [], { port: '3000', host: '0.0.0.0' })
      .catch((e: unknown) => e);
    expect(isShopflowError(error, 'SF_BAD_USAGE')).toBe(true);
    expect((error as Error).message).toContain('`0.0.0.0`');
    expect((error as Error).message).toContain('SHOPFLOW_UI_TOKEN');
    expect(opened).toBe(false);
  });

  test('rejects a port that is not a number', async () => {
    const error = await serveCommand
      .run(
        contextFor(async () => f.runtime),
        [],
        { port: 'http', host: '127.0.0.1' },
      )
      .catch((e: unknown) => e);
    expect(isShopflowError(error, 'SF_BAD_USAGE')).toBe(true);
    expect((error as Error).message).toContain('--port http');
  });

  test('serves until SIGTERM, reads the token from SHOPFLOW_UI_TOKEN and never prints it', async () => {
    process.env.SHOPFLOW_UI_TOKEN = TOKEN;
    const stdout = sink();
    const stderr = sink();
    const running = serveCommand.run(
      contextFor(async () => f.runtime, stdout, stderr),
      [],
      { port: '0', host: '127.0.0.1', readOnly: true },
    );
    const url = await eventually(async () => /http:\/\/127\.0\.0\.1:\d+\//.exec(stdout.text())?.[0]);
    const health = await (await fetch(`${url}api/health`)).json();
    expect(health).toMatchObject({ status: 'ok', readOnly: true, tokenRequired: true });
    const refused = await fetch(`${url}api/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: '{}',
    });
    expect(refused.status).toBe(403);
    process.emit('SIGTERM', 'SIGTERM');
    expect(await running).toBe(0);
    expect(stdout.text()).toContain('(read-only)');
    expect(stdout.text()).toContain('every request needs SHOPFLOW_UI_TOKEN');
    expect(stderr.text()).toContain('stopping (SIGTERM)');
    expect(stdout.text() + stderr.text()).not.toContain(TOKEN);
    expect(process.listeners('SIGTERM')).toHaveLength(0);
    await expect(fetch(`${url}api/health`)).rejects.toThrow();
  });
});

describe('stopping a server', () => {
  test('waits for the runs it started before it closes', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const f = await openServerFixture({
      materialize: null,
      example: { gate: async (key) => (key === 'stations' ? held : undefined) },
    });
    try {
      const app = createServer({ runtime: f.runtime, host: '127.0.0.1', port: 0, log: silentLog });
      const stop = new AbortController();
      let url = '';
      const serving = listenUntilStopped(app, {
        host: '127.0.0.1',
        port: 0,
        stop: stop.signal,
        onListening: (u) => (url = u),
      });
      await eventually(async () => url !== '');
      const launched = await fetch(`${url}api/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ selection: 'stations' }),
      });
      expect(launched.status).toBe(202);
      const { runId } = (await launched.json()) as { runId: string };
      let stopped = false;
      stop.abort();
      const done = serving.then(() => {
        stopped = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(stopped).toBe(false);
      release();
      await done;
      expect((await f.runtime.store.getRun(runId))!.status).toBe('success');
    } finally {
      release();
      await f.close();
    }
  });
});
