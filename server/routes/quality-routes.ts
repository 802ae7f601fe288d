import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { type AssetQuality, buildQualityReport, type QualityCounts } from '../../framework/index.js';
import { integerParam, parseRequest } from '../http/parse-request.js';
import type { ServerContext } from '../server-context.js';

const QualityQuery = z.strictObject({
  runs: integerParam(1, 200).optional(),
  asset: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,199}$/, { error: 'expected an asset key' })
    .optional(),
});

/** Failing first, then warnings, then the rest; more failing (then quarantined) rows first. */
function severity(counts: QualityCounts): number {
  return counts.fail > 0 ? 0 : counts.warn > 0 ? 1 : counts.pass > 0 ? 2 : 3;
}

function failingFirst(assets: AssetQuality[]): AssetQuality[] {
  return assets
    .map((asset) => ({
      ...asset,
      checks: [...asset.checks].sort(
        (a, b) =>
          severity(a.counts) - severity(b.counts) ||
          b.failingRows - a.failingRows ||
          b.quarantinedRows - a.quarantinedRows,
      ),
    }))
    .sort(
      (a, b) =>
        severity(a.counts) - severity(b.counts) ||
        b.counts.fail - a.counts.fail ||
        b.counts.warn - a.counts.warn ||
        b.quarantinedRows - a.quarantinedRows ||
        a.assetKey.localeCompare(b.assetKey),
    );
}

/**
 * `GET /api/quality?runs=N&asset=KEY`: the data-quality report — the latest result of every check
 * of every asset, failing first, with trends over the last `runs` runs that evaluated checks and
 * samples of failing rows — computed exactly as `shopflow checks --report` computes it. Values of
 * PII columns in samples are always masked (`framework/governance/`); no parameter unmasks them.
 *
 * @example
 * registerQualityRoutes(app, context);
 */
export function registerQualityRoutes(app: FastifyInstance, context: ServerContext): void {
  const { runtime } = context;
  app.get('/api/quality', async (request) => {
    const query = parseRequest(QualityQuery, request.query, 'query');
    if (query.asset) runtime.graph.get(query.asset);
    const report = await buildQualityReport({
      store: runtime.store,
      graph: runtime.graph,
      runs: query.runs ?? 20,
      assetKey: query.asset,
      // NOTE: the loaded configuration lists its secret values; they never reach the page.
      secrets: (runtime.config as { secrets?: readonly string[] }).secrets ?? [],
      includePii: false,
      classification: await runtime.classification(),
      now: runtime.services.now(),
    });
    return { ...report, assets: failingFirst(report.assets) };
  });
}
