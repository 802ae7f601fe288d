import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ShopflowError } from '../../framework/index.js';
import { integerParam, parseRequest } from '../http/parse-request.js';
import type { ServerContext } from '../server-context.js';
import { buildGraphView } from '../views/graph-view.js';

const GraphQuery = z.strictObject({
  focus: z.string().min(1).max(200).optional(),
  depth: integerParam(0, 50).optional(),
  group: z.string().min(1).max(200).optional(),
});

/**
 * `GET /api/graph?focus=KEY&depth=N&group=G`: nodes with their status, and edges. The unfiltered
 * graph is serialized (and gzipped, for clients that accept it) once per status snapshot, so many
 * clients polling it cost one computation.
 *
 * @example
 * registerGraphRoutes(app, context);
 */
export function registerGraphRoutes(app: FastifyInstance, context: ServerContext): void {
  let whole: { version: number; body: Buffer; gzipped?: Buffer } | undefined;

  app.get('/api/graph', async (request, reply) => {
    const query = parseRequest(GraphQuery, request.query, 'query');
    if (query.depth !== undefined && !query.focus) {
      throw new ShopflowError(
        'SF_BAD_USAGE',
        `query parameter \`depth\` is ${query.depth} but no \`focus\` was given`,
        {
          hint: 'add focus=ASSET_KEY, e.g. /api/graph?focus=daily_stats&depth=2',
        },
      );
    }
    const snapshot = await context.statusCache.get();
    const graph = context.runtime.graph;
    if (!query.focus && !query.group) {
      if (whole?.version !== snapshot.version) {
        whole = {
          version: snapshot.version,
          // NOTE: scrubbed once here and sent as bytes, which the per-response scrubber passes by.
          body: Buffer.from(
            context.scrub(
              JSON.stringify(buildGraphView(graph, snapshot.report.statuses, snapshot.computedAt)),
            ),
          ),
        };
      }
      reply.type('application/json; charset=utf-8').header('vary', 'accept-encoding');
      if (/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) {
        whole.gzipped ??= gzipSync(whole.body);
        return reply.header('content-encoding', 'gzip').send(whole.gzipped);
      }
      return reply.send(whole.body);
    }
    return buildGraphView(graph, snapshot.report.statuses, snapshot.computedAt, query);
  });
}
