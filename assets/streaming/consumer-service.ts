import type { Logger } from 'pino';
import { isShopflowError, type ShopflowRuntime } from '../../framework/index.js';
import { openStreamTransport } from '../../resources/stream/open-stream-transport.js';
import type { StreamTransport } from '../../resources/stream/stream-transport.js';
import { ClickstreamConsumer, type ConsumerOptions } from './clickstream-consumer.js';
import type { ClickstreamSettings } from './clickstream-settings.js';
import type { StreamDashboard } from './stream-dashboard.js';

/** How long and how a consumer service runs. */
export interface ConsumerServiceOptions {
  runtime: ShopflowRuntime;
  settings: ClickstreamSettings;
  home: string;
  log: Logger;
  /** Stop once no record arrived for this long (ms) and every complete slice was processed. */
  untilIdleMs?: number;
  /** Stop after this long (ms). */
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
 * as after a crash. Losing the lease to another consumer, or bad configuration, ends it.
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
  readonly totals = { records: 0, slices: 0, commits: 0, restarts: 0 };

  constructor(private readonly options: ConsumerServiceOptions) {}

  async run(): Promise<void> {
    const { log, settings } = this.options;
    const transport = this.options.transport ?? (await openStreamTransport(settings, this.options.home));
    const started = Date.now();
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
          let quietSince = Date.now();
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
            (error as Error).name === 'ConsumerCrash';
          if (fatal || ++failures > (this.options.maxFailures ?? 10)) throw error;
          this.totals.restarts++;
          const wait = Math.min(30_000, 500 * 2 ** failures);
          log.warn({ err: error, wait }, 'stream consumer failed; restarting from its checkpoint');
          await new Promise((r) => setTimeout(r, wait));
        }
      }
    } finally {
      this.current = null;
      if (!this.options.transport) transport.close();
    }
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
  }
}
