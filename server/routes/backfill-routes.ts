import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { type BackfillRecord, ShopflowError, type ShopflowRuntime } from '../../framework/index.js';
import { ApiError } from '../http/api-error.js';
import { integerParam, parseRequest } from '../http/parse-request.js';
import type { ServerContext } from '../server-context.js';
import { listBackfillSummaries, summarizeBackfill } from '../views/backfill-view.js';
import { summarizeRun } from '../views/run-summary.js';

const ListQuery = z.strictObject({ limit: integerParam(1, 200).optional() });
const IdParams = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, { error: 'expected a backfill id or the start of one' }),
});
const EmptyBody = z.strictObject({});

async function findBackfill(runtime: ShopflowRuntime, id: string): Promise<BackfillRecord> {
  const exact = await runtime.store.getBackfill(id);
  if (exact) return exact;
  const matches = (await runtime.store.listBackfills({ limit: 1000 })).filter((b) => b.id.startsWith(id));
  if (matches.length === 1) return matches[0];
  throw new ShopflowError(
    'SF_UNKNOWN_BACKFILL',
    matches.length === 0
      ? `no backfill has the id \`${id}\``
      : `the id prefix \`${id}\` matches ${matches.length} backfills`,
    { hint: 'the backfills page lists them' },
  );
}

/**
 * The backfill API:
 * - `GET /api/backfills?limit=N`: the newest backfills with their progress;
 * - `GET /api/backfills/:id`: one backfill, the status of each of its partitions (with the run that
 *   materialized it or why it failed) and its runs;
 * - `POST /api/backfills/:id/cancel`: cancel it from here, whichever process runs it (`shopflow
 *   backfill --cancel`); `POST /api/backfills/:id/resume`: continue it in this server process
 *   (`shopflow backfill --resume`). Writes: the token, and refused on a read-only server.
 *
 * @example
 * registerBackfillRoutes(app, context);
 */
export function registerBackfillRoutes(app: FastifyInstance, context: ServerContext): void {
  const { runtime } = context;
  const deadAfterMs = () => runtime.services.deadAfterMs;
  const automation = () => {
    if (!context.automation || !context.backfills) {
      throw new ApiError(
        403,
        'SF_FORBIDDEN',
        'this server was started without the schedules package, so it cannot run or cancel backfills; use `shopflow backfill`',
      );
    }
    return { automation: context.automation, launcher: context.backfills };
  };

  app.get('/api/backfills', async (request) => {
    const { limit } = parseRequest(ListQuery, request.query, 'query');
    return {
      actions: context.automation !== null,
      backfills: await listBackfillSummaries(
        runtime.store,
        runtime.services.now(),
        deadAfterMs(),
        limit ?? 50,
      ),
    };
  });

  app.get('/api/backfills/:id', async (request) => {
    const { id } = parseRequest(IdParams, request.params, 'params');
    const backfill = await findBackfill(runtime, id);
    const partitions = await runtime.store.listBackfillPartitions(backfill.id);
    const now = runtime.services.now();
    const runs = (await runtime.store.listRuns({ limit: 500 }))
      .filter((run) => run.tags.backfill === backfill.id)
      .map((run) => summarizeRun(run, now));
    return {
      actions: context.automation !== null,
      backfill: summarizeBackfill(backfill, partitions, now, deadAfterMs()),
      partitions,
      runs,
    };
  });

  app.post(
    '/api/backfills/:id/cancel',
    { preHandler: context.access.requireWriteRights('canceling backfills') },
    async (request, reply) => {
      const { id } = parseRequest(IdParams, request.params, 'params');
      parseRequest(EmptyBody, request.body, 'body');
      const { automation: a } = automation();
      const { backfill, runsCanceled } = await a.cancelBackfill(runtime, id, 'the web page');
      return reply.code(202).send({ backfill, runsCanceled });
    },
  );

  app.post(
    '/api/backfills/:id/resume',
    { preHandler: context.access.requireWriteRights('resuming backfills') },
    async (request, reply) => {
      const { id } = parseRequest(IdParams, request.params, 'params');
      parseRequest(EmptyBody, request.body, 'body');
      const { launcher } = automation();
      const backfill = await launcher.resume((await findBackfill(runtime, id)).id);
      return reply.code(202).send({ backfill });
    },
  );
}
