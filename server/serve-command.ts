import type { CommandDefinition } from '../framework/index.js';
import { ShopflowError } from '../framework/index.js';
import { createServer } from './create-server.js';
import { assertSafeToServe } from './http/listen-safety.js';
import { listenUntilStopped } from './listen-until-stopped.js';

function parsePort(value: unknown): number {
  const text = String(value);
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 0 && port <= 65_535)) {
    throw new ShopflowError('SF_BAD_USAGE', `--port ${text} is not a port number`, {
      hint: 'use 0–65535, e.g. --port 3000 (0 picks a free port)',
    });
  }
  return port;
}

/**
 * `shopflow serve [--port 3000] [--host 127.0.0.1] [--read-only]`: the web UI and JSON API until
 * SIGINT/SIGTERM. Launching runs needs the bearer token from `SHOPFLOW_UI_TOKEN` when it is set; a
 * host other than loopback requires it. A first Ctrl-C stops accepting requests and waits for the
 * runs started here; a second one exits at once.
 *
 * @example
 * export default defineDefinitions({ assets, commands: [serveCommand] });
 */
export const serveCommand: CommandDefinition = {
  name: 'serve',
  description: 'serve the web UI and JSON API: lineage graph, assets, runs, launching runs',
  options: [
    { flags: '--port <port>', description: 'TCP port (0 picks a free one)', defaultValue: '3000' },
    {
      flags: '--host <host>',
      description: 'address to listen on; other than loopback it needs SHOPFLOW_UI_TOKEN',
      defaultValue: '127.0.0.1',
    },
    { flags: '--read-only', description: 'serve the pages and API but refuse to launch runs' },
  ],
  async run(context, _args, options) {
    const port = parsePort(options.port ?? '3000');
    const host = String(options.host ?? '127.0.0.1');
    const readOnly = options.readOnly === true;
    const token = process.env.SHOPFLOW_UI_TOKEN || undefined;
    assertSafeToServe({ host, token });
    const runtime = await context.runtime();
    await runtime.reapDeadRuns();
    const app = createServer({ runtime, token, readOnly, host, port, log: context.log });
    const stop = new AbortController();
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals++;
      if (signals === 1) {
        context.stderr.write(
          `\nstopping (${signal}): finishing the runs started here; press Ctrl-C again to stop now\n`,
        );
        stop.abort();
        return;
      }
      context.stderr.write(
        'stopping now; runs left unfinished are marked failed by the next shopflow command\n',
      );
      process.exit(130);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      await listenUntilStopped(app, {
        host,
        port,
        stop: stop.signal,
        onListening: (url) => {
          context.log.info({ url, readOnly, tokenRequired: token !== undefined }, 'web server listening');
          if (context.json) context.stdout.write(`${JSON.stringify({ type: 'listening', url, readOnly })}\n`);
          else
            context.stdout.write(
              `ShopFlow UI on ${url}${readOnly ? ' (read-only)' : ''}${token ? '; launching runs needs SHOPFLOW_UI_TOKEN' : ''}\n`,
            );
        },
      });
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    return 0;
  },
};
