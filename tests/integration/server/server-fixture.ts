import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { ShopflowRuntime } from '../../../framework/index.js';
import { createServer, type ServerOptions } from '../../../server/create-server.js';
import { type ExampleOptions, exampleDefinitions } from '../../fixtures/example-graph.js';
import { openTestRuntime, tempHome } from '../../support/example-runtime.js';

/** The clock of every server test: seven whole days of the example's daily partitions exist. */
export const NOW = new Date('2024-01-08T06:00:00.000Z');
export const TOKEN = 'test-token-0123456789abcdef';

export interface ServerFixture {
  runtime: ShopflowRuntime;
  app: FastifyInstance;
  /** Every log line the server wrote, as text. */
  logText(): string;
  close(): Promise<void>;
}

/**
 * A runtime on the example graph in a temp home with `+daily_stats` materialized (readings of
 * `failDays` fail), and a server on it (not listening; use `app.inject`).
 */
export async function openServerFixture(
  options: {
    token?: string;
    readOnly?: boolean;
    example?: ExampleOptions;
    materialize?: string | null;
    /** Further server options (public read, allowed hosts, TLS …). */
    server?: Partial<ServerOptions>;
  } = {},
): Promise<ServerFixture> {
  const home = tempHome('shopflow-server-');
  const runtime = await openTestRuntime(
    exampleDefinitions(options.example ?? { failDays: ['2024-01-05'] }),
    home.home,
    {
      now: () => NOW,
    },
  );
  const materialize = options.materialize === undefined ? '+daily_stats' : options.materialize;
  if (materialize) await runtime.execute(await runtime.plan({ selection: materialize }));
  const lines: string[] = [];
  const log = pino(
    { level: 'debug' },
    new Writable({
      write(chunk, _encoding, callback) {
        lines.push(String(chunk));
        callback();
      },
    }),
  );
  const app = createServer({
    runtime,
    token: options.token,
    readOnly: options.readOnly,
    host: '127.0.0.1',
    port: 0,
    log,
    eventPollMs: 20,
    ...options.server,
  });
  await app.ready();
  return {
    runtime,
    app,
    logText: () => lines.join(''),
    close: async () => {
      await app.close();
      await runtime.close();
      home.cleanup();
    },
  };
}

/** Waits until `condition` holds, polling every 20 ms (fails after `attempts` tries). */
export async function eventually<T>(
  condition: () => Promise<T | undefined | false>,
  attempts = 500,
): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = await condition();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('condition never held');
}
