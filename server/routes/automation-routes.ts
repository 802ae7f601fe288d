import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { setPaused } from '../../framework/index.js';
import { integerParam, parseRequest } from '../http/parse-request.js';
import type { ServerContext } from '../server-context.js';
import { buildAutomationView } from '../views/automation-view.js';

const AutomationQuery = z.strictObject({ ticks: integerParam(1, 100).optional() });
const NameParams = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,99}$/, { error: 'expected a schedule or sensor name (snake_case)' }),
});
const EmptyBody = z.strictObject({});

/**
 * The automation API:
 * - `GET /api/automation?ticks=N`: schedules with next ticks and pause state, sensors, their recent
 *   ticks with runs or skip reasons, and the daemon's health (`shopflow schedules`);
 * - `POST /api/schedules/:name/pause` and `…/resume`: pause or resume a schedule or sensor in the
 *   instance store, so the daemon launches nothing for it (`shopflow schedules pause|resume`).
 *   Writes: the token when the server has one (even with `--public-read`), refused when read-only.
 *
 * @example
 * registerAutomationRoutes(app, context);
 */
export function registerAutomationRoutes(app: FastifyInstance, context: ServerContext): void {
  const { runtime } = context;

  app.get('/api/automation', async (request) => {
    const { ticks } = parseRequest(AutomationQuery, request.query, 'query');
    return await buildAutomationView(runtime, context.automation, { ticks: ticks ?? 10 });
  });

  for (const paused of [true, false]) {
    app.post(
      `/api/schedules/:name/${paused ? 'pause' : 'resume'}`,
      { preHandler: context.access.requireWriteRights(paused ? 'pausing schedules' : 'resuming schedules') },
      async (request) => {
        const { name } = parseRequest(NameParams, request.params, 'params');
        parseRequest(EmptyBody, request.body, 'body');
        const { changed, state } = await setPaused({
          store: runtime.store,
          definitions: runtime.definitions,
          name,
          paused,
          by: 'the web page',
          now: runtime.services.now(),
        });
        context.runtime.log.info(
          { name, paused, changed },
          `${name} ${paused ? 'paused' : 'resumed'} from the web page`,
        );
        return { name, paused, changed, pause: state };
      },
    );
  }
}
