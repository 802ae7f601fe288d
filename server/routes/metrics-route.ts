import type { FastifyInstance } from 'fastify';
import { PrometheusMetrics } from '../../framework/index.js';
import type { ServerContext } from '../server-context.js';

/**
 * `GET /metrics`: the Prometheus metrics of the runs this server executed (launched from the page)
 * and every asset's freshness lag (from the same status computation as the page). Guarded like the
 * API: with a token, scrapes send `Authorization: Bearer <token>`.
 *
 * @example
 * registerMetricsRoute(app, context);
 */
export function registerMetricsRoute(app: FastifyInstance, context: ServerContext): void {
  const metrics = new PrometheusMetrics({
    freshness: async () => {
      const { report, computedAt } = await context.statusCache.get();
      const out: Array<{ assetKey: string; ageSeconds: number }> = [];
      for (const [assetKey, summary] of report.statuses) {
        if (summary.lastMaterializedAt)
          out.push({
            assetKey,
            ageSeconds: Math.max(0, (computedAt.getTime() - Date.parse(summary.lastMaterializedAt)) / 1000),
          });
      }
      return out;
    },
  });
  const remove = context.runtime.metrics.addSink(metrics);
  app.addHook('onClose', async () => {
    remove();
  });
  app.get('/metrics', async (_request, reply) => reply.type(metrics.contentType).send(await metrics.text()));
}
