import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ShopflowError } from '../../framework/index.js';
import { integerParam, parseRequest } from '../http/parse-request.js';
import type { ServerContext } from '../server-context.js';
import { loadAssetDetail } from '../views/asset-detail.js';

const AssetParams = z.strictObject({ key: z.string().min(1).max(200) });
const PreviewQuery = z.strictObject({
  partition: z.string().max(100).optional(),
  limit: integerParam(1, 1000).optional(),
});

/**
 * `GET /api/assets/:key` (the asset page) and `GET /api/assets/:key/preview?partition=&limit=` (its data).
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
    const asset = runtime.graph.get(key);
    const now = runtime.services.now();
    const requested = query.partition || undefined;
    let partitionKey: string | null = null;
    if (asset.partitions) {
      if (requested) {
        asset.partitions.validate(requested, now);
        partitionKey = requested;
      } else {
        const [latest] = await runtime.store.listMaterializations({ assetKey: key, limit: 1 });
        if (!latest) {
          throw new ShopflowError('SF_NOT_MATERIALIZED', `asset \`${key}\` has never been materialized`, {
            hint: `materialize it first: shopflow materialize ${key}`,
          });
        }
        partitionKey = latest.partitionKey;
      }
    } else if (requested) {
      throw new ShopflowError(
        'SF_BAD_PARTITION',
        `asset \`${key}\` is not partitioned, but partition \`${requested}\` was asked for`,
        {
          hint: 'drop the partition parameter',
        },
      );
    }
    const [state] = (await runtime.store.listAssetPartitionStates([key])).filter(
      (s) => s.partitionKey === partitionKey,
    );
    if (!state?.materializationId) {
      const which =
        partitionKey === null ? `asset \`${key}\`` : `partition \`${partitionKey}\` of asset \`${key}\``;
      throw new ShopflowError('SF_NOT_MATERIALIZED', `${which} has never been materialized`, {
        hint: `materialize it first: shopflow materialize ${key}${partitionKey === null ? '' : ` --partition ${partitionKey}`}`,
      });
    }
    const { columns, rows } = await runtime.preview(key, partitionKey, query.limit ?? 50);
    return { assetKey: key, partitionKey, materializedAt: state.materializedAt, columns, rows };
  });
}
