import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { type Plan, type RunRecord, ShopflowError, type ShopflowRuntime } from '../../framework/index.js';
import { integerParam, parseRequest } from '../http/parse-request.js';
import type { ServerContext } from '../server-context.js';
import { summarizeRun } from '../views/run-summary.js';
import { stepTimeline } from '../views/run-timeline.js';
import { LaunchRequestSchema } from './plan-request.js';

const RunParams = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, { error: 'expected a run id or the start of one' }),
});
const RunsQuery = z.strictObject({ limit: integerParam(1, 500).optional() });
const EventsQuery = z.strictObject({ afterId: integerParam(0, Number.MAX_SAFE_INTEGER).optional() });
const EVENT_LIMIT = 5_000;

async function findRun(runtime: ShopflowRuntime, id: string): Promise<RunRecord> {
  const exact = await runtime.store.getRun(id);
  if (exact) return exact;
  const matches = await runtime.store.findRunsByPrefix(id);
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) {
    throw new ShopflowError('SF_BAD_USAGE', `run id prefix \`${id}\` matches ${matches.length} runs`, {
      hint: 'give more characters of the id',
    });
  }
  throw new ShopflowError('SF_UNKNOWN_RUN', `no run has the id \`${id}\``, {
    hint: 'the runs page lists the runs',
  });
}

/**
 * `GET /api/runs`, `GET /api/runs/:id` (run, events, step timeline), `GET /api/runs/:id/events`
 * (server-sent events until the run finishes) and `POST /api/runs` (plan and start a run here).
 *
 * @example
 * registerRunRoutes(app, context);
 */
export function registerRunRoutes(app: FastifyInstance, context: ServerContext): void {
  const { runtime } = context;

  app.get('/api/runs', async (request) => {
    const { limit } = parseRequest(RunsQuery, request.query, 'query');
    const runs = await runtime.store.listRuns({ limit: limit ?? 50 });
    const now = runtime.services.now();
    return { runs: runs.map((run) => summarizeRun(run, now)) };
  });

  app.get('/api/runs/:id', async (request) => {
    const { id } = parseRequest(RunParams, request.params, 'params');
    const run = await findRun(runtime, id);
    const events = await runtime.store.listEvents({ runId: run.id, limit: EVENT_LIMIT });
    const plan = run.plan as Plan | null;
    return {
      run: summarizeRun(run, runtime.services.now()),
      plan: plan
        ? {
            selection: plan.selection,
            partitions: plan.partitions,
            steps: plan.steps.length,
            upToDate: plan.upToDate,
          }
        : null,
      steps: stepTimeline(plan, events),
      events,
      eventsTruncated: events.length === EVENT_LIMIT,
    };
  });

  app.get('/api/runs/:id/events', async (request, reply) => {
    const { id } = parseRequest(RunParams, request.params, 'params');
    const { afterId } = parseRequest(EventsQuery, request.query, 'query');
    const run = await findRun(runtime, id);
    const lastEventId = Number(request.headers['last-event-id']);
    const after = Number.isSafeInteger(lastEventId) && lastEventId >= 0 ? lastEventId : (afterId ?? 0);
    context.streams.stream(request, reply, run.id, after);
    return reply;
  });

  app.post('/api/runs', { preHandler: context.access.requireLaunchRights }, async (request, reply) => {
    const body = parseRequest(LaunchRequestSchema, request.body, 'body');
    const plan = await runtime.plan({
      selection: body.selection,
      partitions: body.partitions ?? null,
      force: body.force,
    });
    const runId = await context.launcher.launch(plan, { concurrency: body.concurrency });
    return reply.code(202).send({ runId, steps: plan.steps.length });
  });
}
