import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ShopflowError } from '../../framework/index.js';
import { integerParam, parseRequest } from '../http/parse-request.js';
import type { ServerContext } from '../server-context.js';
import { collapseGroups } from '../views/collapse-groups.js';
import { buildGraphView } from '../views/graph-view.js';

const GraphQuery = z.strictObject({
  focus: z.string().min(1).max(200).optional(),
  depth: integerParam(0, 50).optional(),
  group: z.string().min(1).max(200).optional(),
});
/** Above this, ELK would work for seconds: the page shows big graphs as the neighbourhood of one asset. */
const MAX_LAYOUT_NODES = 400;
const LayoutQuery = z.strictObject({
  focus: z.string().min(1).max(200).optional(),
  depth: integerParam(0, 50).optional(),
  /** Groups drawn as one node each, comma-separated. */
  collapsed: z.string().max(4000).optional(),
});

/**
 * `GET /api/graph?focus=KEY&depth=N&group=G`: nodes with their status, and edges. The unfiltered
 * graph is serialized (and gzipped, for clients that accept it) once per status snapshot, so many
 * clients polling it cost one computation.
 *
 * `GET /api/graph/layout?focus=KEY&depth=N&collapsed=G1,G2`: where the page draws the same nodes
 * (collapsed groups as one node each) and edges: a left-to-right layered layout with a box per
 * group (ELK, in a worker thread; cached per shape, since statuses do not move anything).
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

  app.get('/api/graph/layout', async (request) => {
    const query = parseRequest(LayoutQuery, request.query, 'query');
    const graph = context.runtime.graph;
    const groups = new Set(graph.assets.map((a) => a.group));
    const collapsed = new Set((query.collapsed ?? '').split(',').filter((g) => g && groups.has(g)));
    // NOTE: the shape only: statuses never move a node, so no status computation here.
    const view = buildGraphView(graph, new Map(), new Date(0), { focus: query.focus, depth: query.depth });
    const input = collapseGroups(view, collapsed);
    if (input.nodes.length > MAX_LAYOUT_NODES) {
      throw new ShopflowError(
        'SF_BAD_USAGE',
        `the graph shown would have ${input.nodes.length} nodes, more than the ${MAX_LAYOUT_NODES} laid out at once`,
        {
          hint: 'lay out the neighbourhood of one asset (focus=KEY&depth=N) or collapse groups (collapsed=G1,G2)',
        },
      );
    }
    return {
      focus: view.focus,
      depth: view.depth,
      collapsed: [...collapsed].sort(),
      ...(await context.layouts.layout(input)),
    };
  });
}
