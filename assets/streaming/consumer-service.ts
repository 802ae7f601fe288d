import type { Logger } from 'pino';
import {
  isShopflowError,
  ShopflowError,
  type ShopflowRuntime,
  WakeableSleep,
} from '../../framework/index.js';
import { openStreamTransport } from '../../resources/stream/open-stream-transport.js';
import type { StreamTransport } from '../../resources/stream/stream-transport.js';
import { isStreamFailure } from '../../resources/stream/stream-transport-error.js';
import { ClickstreamConsumer, type ConsumerOptions } from './clickstream-consumer.js';
import type { ClickstreamSettings } from './clickstream-settings.js';
import type { StreamDashboard } from './stream-dashboard.js';

/** How long and how a consumer service runs. */
export interface ConsumerServiceOptions {
  runtime: ShopflowRuntime;
  settings: ClickstreamSettings;
  home: string;
  log: Logger;
  /**
   * Stop once no record arrived for this long (ms) and every complete slice was processed. Failed
   * attempts count as time without records: when the stream cannot be read for this long, the
   * service gives up with an error.
   */
  untilIdleMs?: number;
  /** Stop after this long (ms); retries after failures end then too (with the error). */
  durationMs?: number;
  /** The transport (default: from the settings). */
  transport?: StreamTransport;
  /** Extra consumer options (tests: crash points). */
  consumer?: Partial<Omit<ConsumerOptions, 'runtime' | 'transport' | 'settings' | 'log'>>;
  /** Told about every dashboard publication (the CLI prints progress from it). */
  onDashboard?: (dashboard: StreamDashboard) => void;
  /** Consecutive failed attempts before giving up (default 10). */
  maxFailures?: number;
}

/**
 * Runs the clickstream consumer until stopped: when it fails (a commit that did not go through, the
 * stream unreachable), it waits with backoff and starts again from its checkpoint — the same path
 * as after a crash. Losing the lease to another consumer, bad configuration, or a stream that does
 * not exist (or refuses the requests) ends it. `untilIdleMs` and `durationMs` bound the retries too.
 *
 * @example
 * const service = new ConsumerService({ runtime, settings, home, log });
 * const done = service.run();
 * service.stop();
 * await done;
 */
export class ConsumerService {
  private current: ClickstreamConsumer | null = null;
  private stopping = false;
  private readonly pause = new WakeableSleep();
  readonly totals = { records: 0, slices: 0, commits: 0, restarts: 0 };

  constructor(private readonly options: ConsumerServiceOptions) {}

  async run(): Promise<void> {
    const { log, settings } = this.options;
    const transport = this.options.transport ?? (await openStreamTransport(settings, this.options.home));
    const started = Date.now();
    // NOTE: across rounds: a consumer that keeps failing reads nothing, so it counts as idle.
    let quietSince = started;
    let failures = 0;
    try {
      while (!this.stopping) {
        const consumer = new ClickstreamConsumer({
          runtime: this.options.runtime,
          transport,
          settings,
          log,
          onPublish: this.options.onDashboard,
          ...this.options.consumer,
        });
        this.current = consumer;
        try {
          await consumer.start();
          failures = 0;
          // NOTE: the idle time of the first round starts once it reads; after a failure it goes on.
          if (this.totals.restarts === 0) quietSince = Date.now();
          while (!this.stopping) {
            const read = await consumer.step();
            if (read > 0 || consumer.buffered > 0) quietSince = Date.now();
            if (this.options.durationMs !== undefined && Date.now() - started >= this.options.durationMs)
              break;
            if (this.options.untilIdleMs !== undefined && Date.now() - quietSince >= this.options.untilIdleMs)
              break;
            if (read === 0) await new Promise((r) => setTimeout(r, settings.pollMillis));
          }
          await consumer.flush();
          await consumer.close();
          this.accumulate(consumer);
          return;
        } catch (error) {
          this.accumulate(consumer);
          await consumer.close().catch(() => {});
          const fatal =
            isShopflowError(error, 'SF_STREAM_CONSUMER_RUNNING') ||
            isShopflowError(error, 'SF_CONFIG_INVALID') ||
            isStreamFailure(error, 'not-found') ||
            isStreamFailure(error, 'rejected') ||
            (error as Error).name === 'ConsumerCrash';
          if (fatal || ++failures > (this.options.maxFailures ?? 10)) throw error;
          const now = Date.now();
          const left = Math.min(
            this.options.untilIdleMs === undefined ? Infinity : quietSince + this.options.untilIdleMs - now,
            this.options.durationMs === undefined ? Infinity : started + this.options.durationMs - now,
          );
          if (left <= 0) throw this.gaveUp(error, now - quietSince);
          if (this.stopping) return;
          this.totals.restarts++;
          const wait = Math.min(30_000, 500 * 2 ** failures, left);
          // NOTE: one line per retry: the cause's message, not its stack (the last error, when the
          // service gives up, carries everything).
          log.warn(
            { reason: isStreamFailure(error) ? error.reason : undefined, wait },
            `stream consumer failed (${(error as Error).message}); restarting from its checkpoint in ${(wait / 1000).toFixed(1)} s`,
          );
          await this.pause.sleep(wait);
        }
      }
    } finally {
      this.current = null;
      if (!this.options.transport) transport.close();
    }
  }

  /** The error of a service whose bound (`untilIdleMs`, `durationMs`) passed while it kept failing. */
  private gaveUp(error: unknown, quietMs: number): Error {
    const stream = this.options.settings.name;
    const hint = isShopflowError(error) ? error.hint : undefined;
    const cause =
      isShopflowError(error) && hint ? error.message.slice(0, -hint.length - 2) : (error as Error).message;
    return new ShopflowError(
      'SF_STREAM',
      `no record could be read from stream \`${stream}\` for ${(quietMs / 1000).toFixed(1)} s; gave up after ${this.totals.restarts + 1} failed attempts: ${cause}`,
      { hint, cause: error },
    );
  }

  private accumulate(consumer: ClickstreamConsumer): void {
    this.totals.records += consumer.stats.records;
    this.totals.slices += consumer.stats.slices;
    this.totals.commits += consumer.stats.commits;
  }

  /** Finishes the current round, then stops. */
  stop(): void {
    this.stopping = true;
    this.current?.stop();
    this.pause.wake();
  }
}
