import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { integerParam, parseRequest } from '../http/parse-request.js';
import type { ServerContext } from '../server-context.js';
import { STREAM_DASHBOARD, StreamDashboardEvents } from '../stream-dashboard-events.js';
import { streamConsumerHealth } from '../views/stream-health.js';

const EventsQuery = z.strictObject({ afterId: integerParam(0, Number.MAX_SAFE_INTEGER).optional() });

/**
 * `GET /api/stream` (the latest live dashboard of the stream consumer — shards, lag, last
 * checkpoint; `dashboard: null` before a consumer ever ran — and `health`, whether the consumer
 * still runs as judged from its lease, which a killed consumer cannot update) and
 * `GET /api/stream/events` (server-sent events of every new dashboard, resuming after
 * `Last-Event-ID` or `afterId`).
 *
 * @example
 * registerStreamRoutes(app, context, { pollMs: 250 });
 */
export function registerStreamRoutes(
  app: FastifyInstance,
  context: ServerContext,
  options: { pollMs?: number } = {},
): void {
  const events = new StreamDashboardEvents(context.runtime.store, options.pollMs);
  app.addHook('preClose', async () => events.closeAll());

  app.get('/api/stream', async () => {
    const { store, services } = context.runtime;
    const [dashboard, health] = await Promise.all([
      store.getCheckpoint(STREAM_DASHBOARD),
      streamConsumerHealth(store, services.now()),
    ]);
    return { dashboard: dashboard ?? null, health };
  });

  app.get('/api/stream/events', async (request, reply) => {
    const { afterId } = parseRequest(EventsQuery, request.query, 'query');
    const lastEventId = Number(request.headers['last-event-id']);
    const after = Number.isSafeInteger(lastEventId) && lastEventId >= 0 ? lastEventId : (afterId ?? 0);
    events.stream(request, reply, after);
    return reply;
  });
}
