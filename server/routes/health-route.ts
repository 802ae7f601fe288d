import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../server-context.js';

/**
 * `GET /api/health`: whether the instance store answers, and how the server is configured. Open to
 * anyone who reaches the server (it shows no data).
 *
 * @example
 * registerHealthRoute(app, context);
 */
export function registerHealthRoute(app: FastifyInstance, context: ServerContext): void {
  app.get('/api/health', async (_request, reply) => {
    const base = {
      assets: context.runtime.graph.keys.length,
      store: context.runtime.store.backend,
      readOnly: context.readOnly,
      tokenRequired: context.tokenRequired,
      publicRead: context.publicRead,
      runsInProgress: context.launcher.running,
    };
    try {
      // NOTE: a primary-key read; listing runs would parse a run's whole plan on every probe.
      await context.runtime.store.getCheckpoint('server.health');
      return { status: 'ok', ...base };
    } catch {
      return reply.code(503).send({
        status: 'unavailable',
        ...base,
        error: { code: 'SF_INSTANCE_STORE', message: 'the instance store does not answer' },
      });
    }
  });
}
