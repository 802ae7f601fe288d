import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { assertSafeToServe } from '../framework/http/listen-safety.js';
import type { CommandDefinition } from '../framework/index.js';
import { ShopflowError } from '../framework/index.js';
import { listenUntilStopped } from './listen-until-stopped.js';
import type { ServerAutomation } from './server-automation.js';

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

function readPem(flag: string, file: string, cwd: string): Buffer {
  try {
    return readFileSync(resolve(cwd, file));
  } catch (error) {
    throw new ShopflowError('SF_BAD_USAGE', `${flag} ${file} cannot be read: ${(error as Error).message}`, {
      hint: `give a PEM file, e.g. ${flag} certs/shopflow.pem`,
    });
  }
}

function listOption(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/**
 * `shopflow serve [--port 3000] [--host 127.0.0.1] [--allowed-host NAME]… [--read-only]
 * [--public-read] [--tls-cert FILE --tls-key FILE]`: the web UI and JSON API until SIGINT/SIGTERM.
 * With `SHOPFLOW_UI_TOKEN` set, every API request needs the token (the page asks for it once);
 * a host other than loopback requires one. A first Ctrl-C stops accepting requests and waits for
 * the runs started here; a second one exits at once.
 *
 * With `automation` (the schedules package's `serverAutomation`) the Automation page shows next ticks
 * and daemon health and the Backfills page can resume and cancel backfills.
 *
 * @example
 * export default defineDefinitions({ assets, commands: [createServeCommand({ automation: serverAutomation })] });
 */
export function createServeCommand(options: { automation?: ServerAutomation } = {}): CommandDefinition {
  return {
    name: 'serve',
    description: 'serve the web UI and JSON API: lineage graph, assets, runs, launching runs',
    options: [
      { flags: '--port <port>', description: 'TCP port (0 picks a free one)', defaultValue: '3000' },
      {
        flags: '--host <host>',
        description: 'address to listen on; other than loopback it needs SHOPFLOW_UI_TOKEN',
        defaultValue: '127.0.0.1',
      },
      {
        flags: '--allowed-host <names...>',
        description:
          'host names to answer besides loopback and --host (repeatable; also server.allowedHosts in the config)',
      },
      { flags: '--read-only', description: 'serve the pages and API but refuse to launch runs' },
      {
        flags: '--public-read',
        description: 'with SHOPFLOW_UI_TOKEN: reads need no token (a kiosk screen); launching still does',
      },
      { flags: '--tls-cert <file>', description: 'serve HTTPS with this PEM certificate (with --tls-key)' },
      { flags: '--tls-key <file>', description: 'the PEM private key of --tls-cert' },
    ],
    async run(context, _args, flags) {
      const port = parsePort(flags.port ?? '3000');
      const host = String(flags.host ?? '127.0.0.1');
      const readOnly = flags.readOnly === true;
      const publicRead = flags.publicRead === true;
      const token = process.env.SHOPFLOW_UI_TOKEN || undefined;
      assertSafeToServe({ host, token });
      if (publicRead && !token) {
        throw new ShopflowError(
          'SF_BAD_USAGE',
          '--public-read needs SHOPFLOW_UI_TOKEN: without a token every read is open already',
          {
            hint: 'set SHOPFLOW_UI_TOKEN so that launching runs needs it, or drop --public-read',
          },
        );
      }
      if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) {
        throw new ShopflowError(
          'SF_BAD_USAGE',
          `--${flags.tlsCert === undefined ? 'tls-key' : 'tls-cert'} was given without --${flags.tlsCert === undefined ? 'tls-cert' : 'tls-key'}`,
          {
            hint: 'give both: --tls-cert cert.pem --tls-key key.pem',
          },
        );
      }
      const tls =
        flags.tlsCert !== undefined
          ? {
              cert: readPem('--tls-cert', String(flags.tlsCert), context.cwd),
              key: readPem('--tls-key', String(flags.tlsKey), context.cwd),
            }
          : undefined;
      const allowedHosts = [...context.config.server.allowedHosts, ...listOption(flags.allowedHost)];
      const runtime = await context.runtime();
      await runtime.reapDeadRuns();
      // NOTE: Fastify and the routes load only when a server is started, not for every command.
      const { createServer } = await import('./create-server.js');
      const app = createServer({
        runtime,
        token,
        readOnly,
        publicRead,
        host,
        port,
        allowedHosts,
        tls,
        projectRoot: context.cwd,
        log: context.log,
        automation: options.automation,
      });
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
          tls: tls !== undefined,
          stop: stop.signal,
          onListening: (url) => {
            context.log.info(
              { url, readOnly, publicRead, tokenRequired: token !== undefined, allowedHosts },
              'web server listening',
            );
            if (context.json)
              context.stdout.write(`${JSON.stringify({ type: 'listening', url, readOnly, publicRead })}\n`);
            else {
              const access = token
                ? publicRead
                  ? '; reads are public, launching needs SHOPFLOW_UI_TOKEN'
                  : '; every request needs SHOPFLOW_UI_TOKEN (sign in on the page)'
                : '';
              context.stdout.write(`ShopFlow UI on ${url}${readOnly ? ' (read-only)' : ''}${access}\n`);
            }
          },
        });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      return 0;
    },
  };
}

/** `shopflow serve` without the schedules package: no next ticks and no backfill actions on the pages. */
export const serveCommand: CommandDefinition = createServeCommand();
