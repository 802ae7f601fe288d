import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { previewAsset } from '../../framework/index.js';
import { integerParam, parseRequest } from '../http/parse-request.js';
import type { ServerContext } from '../server-context.js';
import { loadAssetDetail } from '../views/asset-detail.js';

const AssetParams = z.strictObject({ key: z.string().min(1).max(200) });
const PreviewQuery = z.strictObject({
  partition: z.string().max(100).optional(),
  limit: integerParam(1, 1000).optional(),
});

/**
 * `GET /api/assets/:key` (the asset page) and `GET /api/assets/:key/preview?partition=&limit=` (its
 * data, with columns classified as personal data always masked: the page never unmasks).
 *
 * @example
 * registerAssetRoutes(app, context);
 */
export function registerAssetRoutes(app: FastifyInstance, context: ServerContext): void {
  const { runtime } = context;

  app.get('/api/assets/:key', async (request) => {
    const { key } = parseRequest(AssetParams, request.params, 'params');
    runtime.graph.get(key);
    return await loadAssetDetail(runtime, await context.statusCache.get(), key);
  });

  app.get('/api/assets/:key/preview', async (request) => {
    const { key } = parseRequest(AssetParams, request.params, 'params');
    const query = parseRequest(PreviewQuery, request.query, 'query');
    return await previewAsset(runtime, key, {
      partition: query.partition,
      limit: query.limit ?? 50,
      unmask: false,
    });
  });
}
