import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  cancelRun,
  type Plan,
  type RunRecord,
  ShopflowError,
  type ShopflowRuntime,
} from '../../framework/index.js';
import { clientAddress, isLoopbackAddress } from '../http/client-address.js';
import { integerParam, parseRequest } from '../http/parse-request.js';
import type { ServerContext } from '../server-context.js';
import { EVENT_LEVELS, EVENT_TYPES, eventPage, eventView } from '../views/run-events.js';
import type { RunStepTable } from '../views/run-step-table.js';
import { summarizeRun } from '../views/run-summary.js';
import { LaunchRequestSchema } from './plan-request.js';

const RunParams = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, { error: 'expected a run id or the start of one' }),
});
const RunsQuery = z.strictObject({ limit: integerParam(1, 500).optional() });
const StreamQuery = z.strictObject({ afterId: integerParam(0, Number.MAX_SAFE_INTEGER).optional() });
const EventsQuery = z.strictObject({
  before: integerParam(1, Number.MAX_SAFE_INTEGER).optional(),
  limit: integerParam(1, 500).optional(),
  step: z
    .string()
    .max(300)
    .regex(/^[a-z][a-z0-9_]*(\[[^[\]]+\])?$/, { error: 'expected `asset` or `asset[partition]`' })
    .optional(),
  type: z.enum(EVENT_TYPES as [string, ...string[]]).optional(),
  level: z.enum(EVENT_LEVELS as [string, ...string[]]).optional(),
});
const RetryRequest = z.strictObject({ concurrency: z.int().min(1).max(64).optional() });
const CancelRequest = z.strictObject({});

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
 * When the run started and ended (or now, while it runs), by its own events — the clock its steps'
 * times come from — so the timeline's axis ends exactly at the run's end.
 */
function runWindow(
  run: RunRecord,
  table: RunStepTable,
): { startedAt: string; finishedAt: string | null; durationMs: number } {
  const startedAt = table.startedAt ?? run.startedAt ?? run.createdAt;
  const finished = run.status === 'success' || run.status === 'failed' || run.status === 'canceled';
  const finishedAt = table.finishedAt ?? (finished ? (run.finishedAt ?? startedAt) : null);
  const end = finishedAt ? Date.parse(finishedAt) : Math.max(Date.now(), lastStepTime(table));
  return { startedAt, finishedAt, durationMs: Math.max(0, end - Date.parse(startedAt)) };
}

function lastStepTime(table: RunStepTable): number {
  let last = 0;
  for (const row of table.rows) {
    const t = Date.parse(row.finishedAt ?? row.startedAt ?? '');
    if (t > last) last = t;
  }
  return last;
}

/** Stack traces go only to clients on this machine. */
function includeStacks(request: FastifyRequest): boolean {
  return isLoopbackAddress(clientAddress(request));
}

/**
 * The run API:
 * - `GET /api/runs`: the latest runs;
 * - `GET /api/runs/:id`: the run, its step counts and every step's state and times, computed on
 *   the server from all of the run's events (compact: one array per step);
 * - `GET /api/runs/:id/summary`: the run and its step counts only (what a live page polls);
 * - `GET /api/runs/:id/events?before=&limit=&step=&type=&level=`: its events, newest first, paged;
 * - `GET /api/runs/:id/stream`: server-sent events until the run finishes;
 * - `POST /api/runs`: plan and start a run here; `POST /api/runs/:id/retry`: re-execute a run from
 *   its failures (`shopflow runs retry`); `POST /api/runs/:id/cancel`: cancel a running run, whichever
 *   process executes it (`shopflow runs cancel`).
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

  const summary = async (id: string) => {
    const run = await findRun(runtime, id);
    const table = await context.stepSummaries.get(run);
    return { run, table, view: summarizeRun(run, runtime.services.now()), window: runWindow(run, table) };
  };

  app.get('/api/runs/:id/summary', async (request) => {
    const { id } = parseRequest(RunParams, request.params, 'params');
    const { view, table, window } = await summary(id);
    return {
      run: view,
      window,
      counts: table.counts(),
      lastEventId: table.lastEventId,
      cancelRequested: table.cancelRequested,
    };
  });

  app.get('/api/runs/:id', async (request) => {
    const { id } = parseRequest(RunParams, request.params, 'params');
    const { run, table, view, window } = await summary(id);
    const plan = run.plan as Plan | null;
    const origin = Date.parse(window.startedAt);
    const offset = (iso: string | null) => (iso === null ? null : Date.parse(iso) - origin);
    const assets: string[] = [];
    const assetIndex = new Map<string, number>();
    const messages: Record<string, string> = {};
    const workers: Record<string, string> = {};
    const steps = table.rows.map((row) => {
      let index = assetIndex.get(row.assetKey);
      if (index === undefined) {
        index = assets.push(row.assetKey) - 1;
        assetIndex.set(row.assetKey, index);
      }
      if (row.message) messages[row.key] = row.message;
      if (row.worker) workers[row.key] = row.worker;
      return [
        index,
        row.partitionKey,
        row.status,
        offset(row.startedAt),
        offset(row.finishedAt),
        row.attempts,
        row.rowCount,
      ];
    });
    return {
      run: view,
      window,
      plan: plan
        ? {
            selection: plan.selection,
            partitions: plan.partitions,
            steps: plan.steps.length,
            upToDate: plan.upToDate,
          }
        : null,
      counts: table.counts(),
      lastEventId: table.lastEventId,
      cancelRequested: table.cancelRequested,
      /** Every step: [asset index, partition, status, start ms, end ms, attempts, rows]; times from the run's start. */
      stepColumns: ['asset', 'partition', 'status', 'startMs', 'endMs', 'attempts', 'rowCount'],
      assets,
      steps,
      messages,
      /** The worker that ran each step, by step key (queue executor only). */
      workers,
    };
  });

  app.get('/api/runs/:id/events', async (request) => {
    const { id } = parseRequest(RunParams, request.params, 'params');
    const query = parseRequest(EventsQuery, request.query, 'query');
    const run = await findRun(runtime, id);
    const page = await eventPage(runtime.store, run.id, {
      before: query.before,
      limit: query.limit ?? 100,
      step: query.step,
      type: query.type as (typeof EVENT_TYPES)[number] | undefined,
      level: query.level as (typeof EVENT_LEVELS)[number] | undefined,
    });
    const stacks = includeStacks(request);
    return {
      runId: run.id,
      events: page.events.map((e) => eventView(e, { includeStack: stacks })),
      nextBefore: page.nextBefore,
    };
  });

  app.get('/api/runs/:id/stream', async (request, reply) => {
    const { id } = parseRequest(RunParams, request.params, 'params');
    const { afterId } = parseRequest(StreamQuery, request.query, 'query');
    const run = await findRun(runtime, id);
    const lastEventId = Number(request.headers['last-event-id']);
    const after = Number.isSafeInteger(lastEventId) && lastEventId >= 0 ? lastEventId : (afterId ?? 0);
    context.streams.stream(request, reply, run.id, after, {
      includeStacks: includeStacks(request),
      gzip: /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? '')),
      scrub: context.scrub,
    });
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

  app.post(
    '/api/runs/:id/retry',
    { preHandler: context.access.requireLaunchRights },
    async (request, reply) => {
      const { id } = parseRequest(RunParams, request.params, 'params');
      const body = parseRequest(RetryRequest, request.body, 'body');
      const run = await findRun(runtime, id);
      const runId = await context.launcher.retry(run.id, { concurrency: body.concurrency });
      return reply.code(202).send({ runId, retryOf: run.id });
    },
  );

  app.post(
    '/api/runs/:id/cancel',
    { preHandler: context.access.requireWriteRights('canceling runs') },
    async (request, reply) => {
      const { id } = parseRequest(RunParams, request.params, 'params');
      parseRequest(CancelRequest, request.body ?? {}, 'body');
      const run = await findRun(runtime, id);
      const result = await cancelRun(runtime, run, 'the web page');
      return reply.code(202).send({
        runId: run.id,
        outcome: result.outcome,
        alreadyRequested: result.alreadyRequested,
        status: result.run.status,
      });
    },
  );
}
