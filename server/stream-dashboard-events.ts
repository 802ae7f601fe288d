import type { FastifyReply, FastifyRequest } from 'fastify';
import type { InstanceStore } from '../framework/index.js';

/** The instance-store checkpoint the stream consumer publishes its dashboard to. */
export const STREAM_DASHBOARD = 'stream.dashboard';
const KEEPALIVE_MS = 15_000;

/**
 * Server-sent events of the live stream dashboard, read from the instance store (so a consumer in
 * another process — `shopflow stream consume`, the daemon — streams too). Each publication goes
 * out once as `id: <seq>` + `data: <json>`; a client that reconnects with `Last-Event-ID` (or
 * `afterId`) gets the latest publication at once if it missed any — a publication is a complete
 * snapshot, so the latest one is all it lacks — and nothing it already has.
 *
 * @example
 * const events = new StreamDashboardEvents(runtime.store);
 * app.get('/api/stream/events', (request, reply) => events.stream(request, reply, 0));
 */
export class StreamDashboardEvents {
  private readonly open = new Set<() => void>();

  constructor(
    private readonly store: InstanceStore,
    private readonly pollMs = 250,
  ) {}

  stream(request: FastifyRequest, reply: FastifyReply, afterId: number): void {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-content-type-options': 'nosniff',
    });
    raw.write('retry: 1000\n\n');
    let last = afterId;
    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    let lastWrite = Date.now();
    const end = () => {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      this.open.delete(end);
      raw.end();
    };
    this.open.add(end);
    request.raw.on('close', end);
    const tick = async () => {
      if (closed) return;
      try {
        const dashboard = await this.store.getCheckpoint<{ seq?: number }>(STREAM_DASHBOARD);
        if (closed) return;
        const seq = typeof dashboard?.seq === 'number' ? dashboard.seq : 0;
        // NOTE: a lower seq than the client's means the instance was reset; send the new state.
        if (dashboard && seq !== last) {
          raw.write(`id: ${seq}\ndata: ${JSON.stringify(dashboard)}\n\n`);
          last = seq;
          lastWrite = Date.now();
        } else if (Date.now() - lastWrite > KEEPALIVE_MS) {
          raw.write(': keep-alive\n\n');
          lastWrite = Date.now();
        }
        timer = setTimeout(tick, this.pollMs);
      } catch {
        end();
      }
    };
    void tick();
  }

  /** Ends every open stream (when the server stops). */
  closeAll(): void {
    for (const end of [...this.open]) end();
  }
}
