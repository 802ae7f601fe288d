import type { EventRecord } from '../instance/instance-store.js';
import type { CliSession } from './cli-session.js';

/**
 * Shows a run while it happens. On a terminal: one line per finished step and a live status line
 * (steps done/total, running assets, rows written). Otherwise: one JSON event per line.
 */
export class RunProgress {
  private done = 0;
  private failed = 0;
  private rows = 0;
  private readonly running = new Set<string>();
  private statusShown = false;
  /** JSON lines not yet written (not a terminal): one write per turn of the event loop. */
  private pending: string[] = [];
  private flushScheduled = false;

  constructor(
    private readonly session: CliSession,
    private readonly total: number,
  ) {}

  readonly onEvent = (event: EventRecord): void => {
    if (!this.session.interactive) {
      this.queue(`${JSON.stringify(event)}\n`);
      return;
    }
    const label = event.partitionKey === null ? event.assetKey : `${event.assetKey}[${event.partitionKey}]`;
    switch (event.type) {
      case 'step_start':
        this.running.add(label!);
        break;
      case 'step_success':
        this.running.delete(label!);
        this.done++;
        this.rows += Number(event.data.rowCount ?? 0);
        this.print(`${event.data.blocking ? '✗' : '✓'} ${event.message}`);
        break;
      case 'step_failure':
        this.running.delete(label!);
        this.done++;
        this.failed++;
        this.print(`✗ ${event.message}`);
        break;
      case 'step_skipped':
        this.done++;
        this.print(`- ${event.message}`);
        break;
      case 'log':
        if (event.data.lockWait === true) this.print(`  … ${event.message}`);
        break;
      case 'step_retry':
      case 'check_evaluation':
        if (event.type === 'step_retry' || event.data.passed === false)
          this.print(`  ${label} ${event.message}`);
        break;
      default:
        break;
    }
    this.status();
  };

  private print(line: string): void {
    this.clear();
    this.session.io.stdout.write(`${line}\n`);
  }

  private clear(): void {
    if (this.statusShown) this.session.io.stdout.write('\r\u001b[2K');
    this.statusShown = false;
  }

  private status(): void {
    this.clear();
    const current = [...this.running];
    const names = current.slice(0, 3).join(', ') + (current.length > 3 ? ` +${current.length - 3}` : '');
    const width = (this.session.io.stdout.columns ?? 100) - 1;
    const line = `[${this.done}/${this.total}] ${this.rows.toLocaleString('en-US')} rows${this.failed ? `, ${this.failed} failed` : ''}${names ? ` · running ${names}` : ''}`;
    this.session.io.stdout.write(line.slice(0, width));
    this.statusShown = true;
  }

  // NOTE: a step's events arrive together (its checks, its success) and four steps run at once;
  // writing each line on its own made one system call per event, a visible part of the main
  // thread's time when stdout is a pipe (synchronous there).
  private queue(line: string): void {
    this.pending.push(line);
    if (this.pending.length >= 256) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.session.io.stdout.write(text);
  }

  finish(): void {
    this.flush();
    this.clear();
  }
}
