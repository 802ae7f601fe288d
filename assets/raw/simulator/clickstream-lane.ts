import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { packageFile } from '../../../framework/cli/package-root.js';
import { type ClickstreamJob, writeClickstreamFile } from './clickstream-file.js';
import { type LaneMessage, workerFailure } from './clickstream-lane-protocol.js';
import type { WrittenFile } from './line-sink.js';

/** Where clickstream.jsonl is written: a worker thread, or the thread that generates the CSV files. */
export type ClickstreamThread = 'worker' | 'main';

/** How to run a {@link ClickstreamLane}. */
export interface LaneOptions {
  /**
   * `worker` (the default) writes in a worker thread, on another core, and falls back to this
   * thread when no worker starts; `main` writes in this thread, interleaved with the CSV files.
   */
  thread?: ClickstreamThread;
  /** The worker's entry module; the default is clickstream-worker beside this module. */
  workerEntry?: URL;
  /** Keep each day's row count for {@link ClickstreamLane.rowsAfterDay} (for progress reports). */
  trackDays?: boolean;
}

/** What a lane wrote, and in which thread. */
export interface LaneResult {
  file: WrittenFile;
  thread: ClickstreamThread;
}

/** How long a cancelled worker gets to close its file before it is terminated. */
const CANCEL_GRACE_MS = 2_000;

/**
 * clickstream.jsonl being written beside the CSV files, in a worker thread when one starts. The
 * clickstream needs nothing from the CSV files (see clickstream-file.ts), so the worker gets only
 * the options and the path, and the two threads never wait for each other. A worker whose modules
 * cannot load (no TypeScript loader, a locked-down runtime) is replaced by the same writing in this
 * thread, which gives the same bytes; a worker that fails once started fails the lane.
 *
 * @example
 * const lane = ClickstreamLane.start({ options, days: 90, path });
 * // … write the CSV files, calling lane.throwIfFailed() now and then …
 * const { file } = await lane.done;
 */
export class ClickstreamLane {
  /** Settles when the file is written and closed, or with the failure. */
  readonly done: Promise<LaneResult>;
  private failure: unknown;
  private worker: Worker | undefined;
  private readonly cancelled = new AbortController();
  private readonly dayRows = new Map<number, number>();
  private waiter:
    | { day: number; resolve: (rows: number) => void; reject: (error: unknown) => void }
    | undefined;

  private constructor(
    private readonly job: ClickstreamJob,
    private readonly options: LaneOptions,
  ) {
    this.done = options.thread === 'main' ? this.inThisThread() : this.inWorker();
    this.done.catch((error: unknown) => {
      this.failure ??= error;
      this.waiter?.reject(error);
      this.waiter = undefined;
    });
  }

  /** Starts writing `job.path`. */
  static start(job: ClickstreamJob, options: LaneOptions = {}): ClickstreamLane {
    return new ClickstreamLane(job, options);
  }

  /** Throws the lane's failure, if it has failed: lets the caller stop early. */
  throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  /** The rows written through day `day`, once that day is written (needs `trackDays`; ask in day order). */
  rowsAfterDay(day: number): Promise<number> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const rows = this.dayRows.get(day);
    if (rows !== undefined) {
      this.dayRows.delete(day);
      return Promise.resolve(rows);
    }
    return new Promise((resolve, reject) => {
      this.waiter = { day, resolve, reject };
    });
  }

  /** Stops the writing and waits until the file is closed (the worker, if any, has exited). */
  async cancel(): Promise<void> {
    this.cancelled.abort();
    const worker = this.worker;
    if (worker) {
      const exited = once(worker, 'exit');
      worker.postMessage('cancel');
      const timer = setTimeout(() => void worker.terminate(), CANCEL_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
    await this.done.catch(() => undefined);
  }

  private recordDay(day: number, rows: number): void {
    if (!this.options.trackDays) return;
    if (this.waiter?.day === day) {
      this.waiter.resolve(rows);
      this.waiter = undefined;
    } else {
      this.dayRows.set(day, rows);
    }
  }

  private async inThisThread(): Promise<LaneResult> {
    const file = await writeClickstreamFile(this.job, {
      onDay: (day, rows) => this.recordDay(day, rows),
      signal: this.cancelled.signal,
    });
    return { file, thread: 'main' };
  }

  private inWorker(): Promise<LaneResult> {
    return new Promise((resolve, reject) => {
      let started = false;
      let settled = false;
      const fallBack = () => {
        if (settled) return;
        settled = true;
        resolve(this.inThisThread());
      };
      const fail = (error: unknown) => {
        if (settled) return;
        settled = true;
        reject(error);
      };
      let worker: Worker;
      try {
        const { script, execArgv } = workerScript(this.options.workerEntry ?? clickstreamWorkerEntry());
        worker = new Worker(script, { workerData: this.job, execArgv });
      } catch {
        fallBack();
        return;
      }
      this.worker = worker;
      worker.on('message', (message: LaneMessage) => {
        switch (message.type) {
          case 'started':
            started = true;
            return;
          case 'day':
            this.recordDay(message.day, message.rows);
            return;
          case 'done':
            settled = true;
            resolve({ file: message.file, thread: 'worker' });
            return;
          case 'failed':
            fail(workerFailure(message.error));
        }
      });
      worker.on('error', (error) => {
        if (!started) fallBack();
        else fail(new Error(`the clickstream worker thread failed: ${error.message}`, { cause: error }));
      });
      worker.on('exit', (code) => {
        this.worker = undefined;
        if (!started) fallBack();
        else
          fail(
            new Error(
              `the clickstream worker thread stopped (exit code ${code}) before clickstream.jsonl was written`,
            ),
          );
      });
    });
  }
}

/** The worker's module: `.ts` when the sources run under tsx or vitest, its built twin in dist/. */
export function clickstreamWorkerEntry(): URL {
  return pathToFileURL(packageFile('assets/raw/simulator/clickstream-worker.ts'));
}

/**
 * How to start `entry` in a worker. A JavaScript entry starts as it is, inheriting this thread's
 * Node options. A TypeScript one needs tsx's loader, but Node 20 does not carry a thread's module
 * hooks into its workers (tsx registers itself only in the main thread there), so the worker starts
 * on a tiny bootstrap that registers tsx, then imports the entry; `execArgv` is emptied so that a
 * tsx loader given on the command line is not registered a second time where Node does run it in
 * workers. Throws when tsx is not installed (the caller falls back to this thread).
 */
function workerScript(entry: URL): { script: URL; execArgv?: string[] } {
  if (!entry.pathname.endsWith('.ts')) return { script: entry };
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap =
    `import { register } from ${JSON.stringify(tsx)};\n` +
    `register();\n` +
    `await import(${JSON.stringify(entry.href)});\n`;
  return { script: new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), execArgv: [] };
}
