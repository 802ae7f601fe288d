import { gzipSync } from 'node:zlib';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyReply, LogController } from 'fastify';
import type { Logger } from 'pino';
import { packageFile } from '../framework/cli/package-root.js';
import { assertSafeToServe } from '../framework/http/listen-safety.js';
import type { ShopflowRuntime } from '../framework/index.js';
import { BackfillLauncher } from './backfill-launcher.js';
import { accessPolicy } from './http/access-policy.js';
import { AllowedHosts } from './http/allowed-hosts.js';
import { ApiError, errorResponse } from './http/api-error.js';
import { createPathScrubber } from './http/path-scrubber.js';
import { registerAssetRoutes } from './routes/asset-routes.js';
import { registerAutomationRoutes } from './routes/automation-routes.js';
import { registerBackfillRoutes } from './routes/backfill-routes.js';
import { registerCatalogRoutes } from './routes/catalog-routes.js';
import { registerGraphRoutes } from './routes/graph-routes.js';
import { registerHealthRoute } from './routes/health-route.js';
import { registerMetricsRoute } from './routes/metrics-route.js';
import { registerPlanRoutes } from './routes/plan-routes.js';
import { registerQualityRoutes } from './routes/quality-routes.js';
import { registerRunRoutes } from './routes/run-routes.js';
import { registerSessionRoutes } from './routes/session-routes.js';
import { registerStreamRoutes } from './routes/stream-routes.js';
import { RunEventStreams } from './run-event-stream.js';
import { RunLauncher } from './run-launcher.js';
import type { ServerAutomation } from './server-automation.js';
import type { ServerContext } from './server-context.js';
import { GraphLayouts } from './views/graph-layout.js';
import { RunStepSummaries } from './views/run-step-summaries.js';
import { StatusCache } from './views/status-cache.js';

export interface ServerOptions {
  runtime: ShopflowRuntime;
  /**
   * The token (`SHOPFLOW_UI_TOKEN`): when set, every API request needs it (bearer header or the
   * page's session cookie) except `GET /api/health` and signing in. Never logged or returned.
   */
  token?: string;
  /** Refuse to launch runs. */
  readOnly?: boolean;
  /** With a token: reads need none (a kiosk screen); launching still does. */
  publicRead?: boolean;
  /** Where the server will listen; a non-loopback host requires a token. Its name is allowed. */
  host: string;
  port: number;
  /** Host names answered besides loopback and `host` (`--allowed-host`, `server.allowedHosts`). */
  allowedHosts?: readonly string[];
  /** Serve over TLS with this PEM key and certificate (the session cookie is then `Secure`). */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Paths inside it are shown relative to it in error bodies and events (default the cwd). */
  projectRoot?: string;
  log: Logger;
  /** How long a computed status summary is reused (default 1000 ms). */
  statusMaxAgeMs?: number;
  /** How often a run's event stream polls the instance store (default 250 ms). */
  eventPollMs?: number;
  /** Next ticks, the daemon's lease and backfill actions, from the schedules package (see `ServerAutomation`). */
  automation?: ServerAutomation;
}

/** The web page's files (copied to dist/ by the build). */
export const PUBLIC_DIR = packageFile('server/public');
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};
/** JSON bodies smaller than this are sent as they are. */
const GZIP_FROM_BYTES = 1024;

/**
 * The ShopFlow web server: the JSON API under `/api` and the single-page UI, on a runtime. It is
 * returned ready but not listening; call `listen({ host, port })` (see `listenUntilStopped`).
 * Closing it waits for the runs it started.
 *
 * @example
 * const app = createServer({ runtime, token: process.env.SHOPFLOW_UI_TOKEN, host: '127.0.0.1', port: 3000, log });
 * await app.listen({ host: '127.0.0.1', port: 3000 });
 */
export function createServer(options: ServerOptions): FastifyInstance {
  assertSafeToServe(options);
  const token = options.token || undefined;
  const { runtime, log } = options;
  const allowedHosts = AllowedHosts.from({ listenHost: options.host, names: options.allowedHosts });
  const access = accessPolicy({
    token,
    readOnly: options.readOnly,
    publicRead: options.publicRead,
    allowedHosts,
    log,
  });
  const app = Fastify({
    loggerInstance: log,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    // NOTE: a path the router cannot read (a malformed percent-escape, a parameter too long) is
    // answered before any hook runs: the host is checked and the headers set here too.
    frameworkErrors: (error, request, reply) => {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
      let refused: unknown = new ApiError(
        error.statusCode === 414 ? 414 : 400,
        'SF_BAD_USAGE',
        error.statusCode === 414
          ? 'a part of the path is longer than the server reads'
          : 'the path is not a valid URL (a malformed percent-escape)',
      );
      try {
        access.checkHostAndOrigin(request);
      } catch (hostError) {
        refused = hostError;
      }
      const { statusCode, body } = errorResponse(refused);
      (reply as unknown as FastifyReply).code(statusCode).send(body);
    },
    ...(options.tls ? { https: { key: options.tls.key, cert: options.tls.cert } } : {}),
  }) as unknown as FastifyInstance;
  const scrub = createPathScrubber({
    projectRoot: options.projectRoot ?? process.cwd(),
    home: runtime.config.home,
  });
  const context: ServerContext = {
    runtime,
    statusCache: new StatusCache(runtime, options.statusMaxAgeMs),
    layouts: new GraphLayouts(),
    stepSummaries: new RunStepSummaries(runtime.store),
    launcher: new RunLauncher(runtime, log),
    automation: options.automation ?? null,
    backfills: options.automation ? new BackfillLauncher(runtime, options.automation, log) : null,
    streams: new RunEventStreams(runtime.store, options.eventPollMs),
    access,
    allowedHosts,
    scrub,
    readOnly: options.readOnly === true,
    tokenRequired: token !== undefined,
    publicRead: token !== undefined && options.publicRead === true,
  };

  app.addHook('onRequest', access.checkRequest);
  app.addHook('onSend', async (request, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
    if (typeof payload !== 'string') return payload;
    // NOTE: every JSON body, errors included, passes here: no absolute path of this machine leaves.
    const body = scrub(payload);
    if (
      body.length >= GZIP_FROM_BYTES &&
      !reply.hasHeader('content-encoding') &&
      /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))
    ) {
      reply.header('content-encoding', 'gzip').header('vary', 'accept-encoding');
      reply.removeHeader('content-length');
      return gzipSync(body);
    }
    return body;
  });
  app.addHook('onResponse', async (request, reply) => {
    log.debug(
      {
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
  });
  app.setErrorHandler((error, request, reply) => {
    const { statusCode, body } = errorResponse(error);
    if (statusCode >= 500)
      log.error({ err: error, method: request.method, url: request.url }, 'request failed');
    if (error instanceof ApiError)
      for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
    return reply.code(statusCode).send(body);
  });
  app.setNotFoundHandler((request) => {
    throw new ApiError(
      404,
      'SF_NOT_FOUND',
      `no page or API endpoint at ${request.method} ${request.url.split('?')[0]}`,
    );
  });

  registerHealthRoute(app, context);
  registerSessionRoutes(app, context);
  registerGraphRoutes(app, context);
  registerAssetRoutes(app, context);
  registerPlanRoutes(app, context);
  registerRunRoutes(app, context);
  registerAutomationRoutes(app, context);
  registerBackfillRoutes(app, context);
  registerQualityRoutes(app, context);
  registerCatalogRoutes(app, context);
  registerStreamRoutes(app, context, { pollMs: options.eventPollMs });
  registerMetricsRoute(app, context);
  app.register(fastifyStatic, {
    root: PUBLIC_DIR,
    prefix: '/',
    index: 'index.html',
    cacheControl: false,
    allowedPath: (pathName) => !pathName.endsWith('.d.ts'),
    setHeaders: (reply) => reply.header('cache-control', 'no-cache'),
  });

  app.addHook('preClose', async () => {
    context.streams.closeAll();
  });
  app.addHook('onClose', async () => {
    await context.backfills?.drain();
    await context.launcher.drain();
    context.statusCache.dispose();
    await context.layouts.close();
  });
  return app;
}
