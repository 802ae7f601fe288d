import { ClickstreamDay } from './clickstream-day.js';
import { LineSink, type WrittenFile } from './line-sink.js';
import { ShopflowTimeline } from './shopflow-timeline.js';
import type { ResolvedSimulationOptions } from './simulator-options.js';
import { transactionHoursOfDay } from './transaction-drafts.js';

/** What it takes to write clickstream.jsonl: plain data, so it can be posted to a worker thread. */
export interface ClickstreamJob {
  options: ResolvedSimulationOptions;
  /** Days `[0, days)` are written. */
  days: number;
  /** The file to create (it must not exist). */
  path: string;
}

/** Hooks of {@link writeClickstreamFile}. */
export interface ClickstreamHooks {
  /** Called after each day with the rows written so far. */
  onDay?: (day: number, rows: number) => void;
  /** Stops the writing (between hours); the partial file is closed and left for the caller to remove. */
  signal?: AbortSignal;
}

/**
 * Writes clickstream.jsonl for days `[0, days)`: the same bytes as the clickstream of
 * `generateShopflowData`. It needs nothing but the options: the clickstream is drawn from the
 * transactions of each hour (who bought what when), and those from the calendar and `(seed, day,
 * hour)`, so this runs on its own, beside the CSV files, in a worker thread or in this one.
 *
 * @example
 * const { rows, sha256 } = await writeClickstreamFile({ options, days: 90, path: 'raw/clickstream.jsonl' });
 */
export async function writeClickstreamFile(
  job: ClickstreamJob,
  hooks: ClickstreamHooks = {},
): Promise<WrittenFile> {
  const timeline = new ShopflowTimeline(job.options);
  const sink = new LineSink(job.path);
  try {
    for (let day = 0; day < job.days; day++) {
      const clicks = new ClickstreamDay(timeline, day);
      for (const { hour, drafts } of transactionHoursOfDay(timeline, day)) {
        hooks.signal?.throwIfAborted();
        if (clicks.addHourLines(hour, drafts, sink)) await sink.flush();
      }
      if (clicks.finishLines(sink)) await sink.flush();
      hooks.onDay?.(day, sink.rowCount);
    }
    return await sink.close();
  } catch (error) {
    await sink.destroy();
    throw error;
  }
}
