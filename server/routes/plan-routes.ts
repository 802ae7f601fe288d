import type { FastifyInstance } from 'fastify';
import { parseRequest } from '../http/parse-request.js';
import type { ServerContext } from '../server-context.js';
import { PlanRequestSchema } from './plan-request.js';

/**
 * `POST /api/plan`: what a materialization would run and why; changes nothing, so needs no token.
 *
 * @example
 * registerPlanRoutes(app, context);
 */
export function registerPlanRoutes(app: FastifyInstance, context: ServerContext): void {
  app.post('/api/plan', async (request) => {
    const body = parseRequest(PlanRequestSchema, request.body, 'body');
    return await context.runtime.plan({
      selection: body.selection,
      partitions: body.partitions ?? null,
      force: body.force,
    });
  });
}
