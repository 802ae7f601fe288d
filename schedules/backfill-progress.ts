import type { BackfillEvent } from './backfill.js';

const BAR_WIDTH = 24;

/** `850 ms`, `12.3 s`, `4 min 5 s`. */
function duration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/**
 * Shows a backfill while it runs. On a terminal: a progress bar (partitions done of the total,
 * failures, partitions per second, time left) and a line per failed partition. Otherwise one JSON
 * object per line: `backfill_start`, one `partition` per finished partition, `backfill_finish`.
 *
 * @example
 * const progress = new BackfillProgress({ out: process.stdout, interactive: process.stdout.isTTY === true });
 * await runBackfill({ runtime, selection, from, to, onEvent: progress.onEvent });
 */
export class BackfillProgress {
  private started = Date.now();
  private doneAtStart = 0;
  private barShown = false;

  constructor(
    private readonly options: {
      out: NodeJS.WritableStream & { columns?: number };
      interactive: boolean;
      now?: () => number;
    },
  ) {}

  private get now(): number {
    return (this.options.now ?? Date.now)();
  }

  readonly onEvent = (event: BackfillEvent): void => {
    if (!this.options.interactive) {
      this.options.out.write(`${JSON.stringify(this.machineLine(event))}\n`);
      return;
    }
    switch (event.type) {
      case 'start':
        this.started = this.now;
        this.doneAtStart = event.done;
        this.print(
          `${event.resumed ? 'Resuming' : 'Starting'} backfill ${event.backfill.id} of ${event.backfill.selection}, ${event.backfill.from} … ${event.backfill.to}: ${event.total} partitions${event.done ? `, ${event.done} already done` : ''}`,
        );
        this.bar(event.done, 0, event.total);
        break;
      case 'partition':
        if (event.status === 'failed') this.print(`✗ ${event.partitionKey}: ${event.message ?? 'failed'}`);
        this.bar(event.done, event.failed, event.total);
        break;
      case 'finish':
        this.clear();
        this.print(
          event.backfill.status === 'success'
            ? `Backfill ${event.backfill.id} succeeded: ${event.done}/${event.total} partitions in ${duration(this.now - this.started)}.`
            : event.backfill.status === 'canceled'
              ? `Backfill ${event.backfill.id} ${event.backfill.message ?? 'canceled'} (${event.done}/${event.total} done); \`shopflow backfill --resume ${event.backfill.id.slice(0, 8)}\` continues it.`
              : event.backfill.status === 'interrupted'
                ? `Backfill ${event.backfill.id} interrupted at ${event.done}/${event.total} partitions; run the same command again (or \`shopflow backfill --resume ${event.backfill.id.slice(0, 8)}\`) to resume.`
                : `Backfill ${event.backfill.id} finished with ${event.failed} failed partitions (${event.done}/${event.total} done); run the same command again to retry them.`,
        );
        if (event.backfill.message?.includes('not part of a backfill')) this.print(event.backfill.message);
        break;
    }
  };

  private machineLine(event: BackfillEvent): Record<string, unknown> {
    switch (event.type) {
      case 'start':
        return {
          type: 'backfill_start',
          id: event.backfill.id,
          selection: event.backfill.selection,
          from: event.backfill.from,
          to: event.backfill.to,
          total: event.total,
          done: event.done,
          resumed: event.resumed,
        };
      case 'partition':
        return {
          type: 'partition',
          backfillId: event.backfillId,
          partitionKey: event.partitionKey,
          status: event.status,
          runId: event.runId,
          message: event.message,
          done: event.done,
          failed: event.failed,
          total: event.total,
        };
      case 'finish':
        return {
          type: 'backfill_finish',
          id: event.backfill.id,
          status: event.backfill.status,
          done: event.done,
          failed: event.failed,
          total: event.total,
          message: event.backfill.message,
        };
    }
  }

  private bar(done: number, failed: number, total: number): void {
    const finished = done + failed;
    const filled = total === 0 ? BAR_WIDTH : Math.round((finished / total) * BAR_WIDTH);
    const elapsed = this.now - this.started;
    const rate = (done - this.doneAtStart + failed) / Math.max(elapsed / 1000, 0.001);
    const left = total - finished;
    const eta = rate > 0 && finished > this.doneAtStart ? duration((left / rate) * 1000) : '—';
    const line = `[${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}] ${done}/${total} partitions${failed ? ` · ${failed} failed` : ''} · ${rate.toFixed(1)}/s · ETA ${eta}`;
    this.clear();
    this.options.out.write(line.slice(0, (this.options.out.columns ?? 100) - 1));
    this.barShown = true;
  }

  private print(line: string): void {
    this.clear();
    this.options.out.write(`${line}\n`);
  }

  private clear(): void {
    if (this.barShown) this.options.out.write('\r\u001b[2K');
    this.barShown = false;
  }
}
