import type { FastifyInstance } from 'fastify';
import { tableFacts } from '../../framework/index.js';
import type { ServerContext } from '../server-context.js';
import { buildCatalog } from '../views/catalog-view.js';

/**
 * `GET /api/catalog`: every asset with group, owners, tags, status, freshness against its policy,
 * last materialization, where it lives, its rows and personal-data columns (the page filters and
 * sorts them).
 *
 * @example
 * registerCatalogRoutes(app, context);
 */
export function registerCatalogRoutes(app: FastifyInstance, context: ServerContext): void {
  app.get('/api/catalog', async () => {
    const snapshot = await context.statusCache.get();
    return {
      computedAt: snapshot.computedAt.toISOString(),
      assets: buildCatalog(
        context.runtime.graph,
        snapshot.report.statuses,
        snapshot.computedAt,
        await tableFacts(context.runtime),
      ),
    };
  });
}
