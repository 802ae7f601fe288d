import { constants, createGzip, type Gzip } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EventType, InstanceStore } from '../framework/index.js';
import type { PathScrubber } from './http/path-scrubber.js';
import { eventView } from './views/run-events.js';

const TERMINAL_EVENTS: EventType[] = ['run_success', 'run_failure'];
const FINISHED = new Set(['success', 'failed', 'canceled']);
const PAGE = 500;
const KEEPALIVE_MS = 15_000;
/** Polls to wait, after the run record says finished, for its closing event before ending anyway. */
const GRACE_POLLS = 8;

export interface StreamOptions {
  /** Send stack traces of failures (clients on this machine only). */
  includeStacks: boolean;
  /** Compress the stream (the client accepts gzip); flushed after every batch of events. */
  gzip: boolean;
  scrub: PathScrubber;
}

/**
 * Server-sent events for one run, read from the instance store (so runs of other processes — CLI,
 * daemon — stream too): each event's page view (see `eventView`) as `id: <event id>` +
 * `data: <json>`, then `event: end` with the run's status once it finished. Resumes after
 * `Last-Event-ID` or `afterId`. Gzipped when the client accepts it: a run of thousands of steps
 * streams a few hundred kilobytes instead of megabytes.
 *
 * @example
 * const streams = new RunEventStreams(runtime.store);
 * app.get('/api/runs/:id/stream', async (request, reply) => streams.stream(request, reply, runId, 0, options));
 */
export class RunEventStreams {
  private readonly open = new Set<() => void>();

  constructor(
    private readonly store: InstanceStore,
    private readonly pollMs = 250,
  ) {}

  /** Streams the events of `runId` (which must exist) on `reply`; returns when the stream ends. */
  stream(
    request: FastifyRequest,
    reply: FastifyReply,
    runId: string,
    afterId: number,
    options: StreamOptions,
  ): void {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-content-type-options': 'nosniff',
      ...(options.gzip ? { 'content-encoding': 'gzip', vary: 'accept-encoding' } : {}),
    });
    let gzip: Gzip | undefined;
    if (options.gzip) {
      gzip = createGzip({ level: 6 });
      gzip.pipe(raw);
    }
    const out = gzip ?? raw;
    let last = afterId;
    let closed = false;
    let finishedPolls = 0;
    let timer: NodeJS.Timeout | undefined;
    let lastWrite = Date.now();

    const flush = () => {
      gzip?.flush(constants.Z_SYNC_FLUSH);
      lastWrite = Date.now();
    };
    const end = () => {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      this.open.delete(end);
      if (gzip) gzip.end();
      else raw.end();
    };
    this.open.add(end);
    request.raw.on('close', end);
    out.write('retry: 1000\n\n');
    flush();

    const finish = (status: string) => {
      out.write(`event: end\ndata: ${JSON.stringify({ runId, status })}\n\n`);
      flush();
      end();
    };

    const tick = async () => {
      if (closed) return;
      try {
        const run = await this.store.getRun(runId);
        const events = await this.store.listEvents({ runId, afterId: last, limit: PAGE });
        if (closed) return;
        let terminal = false;
        for (const event of events) {
          const view = eventView(event, { includeStack: options.includeStacks });
          out.write(`id: ${event.id}\ndata: ${options.scrub(JSON.stringify(view))}\n\n`);
          last = event.id;
          if (TERMINAL_EVENTS.includes(event.type)) terminal = true;
        }
        if (events.length > 0) flush();
        if (events.length < PAGE && run && FINISHED.has(run.status)) {
          if (terminal) return finish(run.status);
          // NOTE: a client resuming after the closing event gets nothing new; it was already sent.
          const closing = await this.store.listEvents({ runId, types: TERMINAL_EVENTS });
          const closingId = closing[closing.length - 1]?.id;
          if ((closingId !== undefined && closingId <= last) || ++finishedPolls > GRACE_POLLS)
            return finish(run.status);
        }
        if (Date.now() - lastWrite > KEEPALIVE_MS) {
          out.write(': keep-alive\n\n');
          flush();
        }
        timer = setTimeout(tick, events.length === PAGE ? 0 : this.pollMs);
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
