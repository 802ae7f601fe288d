import type { InstanceStore, Plan, RunRecord } from '../../framework/index.js';
import { RunStepTable, STEP_EVENT_TYPES } from './run-step-table.js';

const PAGE = 5_000;
const KEEP = 16;
const FINISHED = new Set(['success', 'failed', 'canceled']);

interface Entry {
  table: RunStepTable;
  /** Whether it was last brought up to date while the run was still going. */
  live: boolean;
}

/**
 * Keeps the step table of recently viewed runs and brings it up to date by reading only the step
 * events added since (every event, in pages, never a capped page of them). A table built while its
 * run was going is rebuilt once from all events after the run finished, so an event committed out
 * of id order (several writers on PostgreSQL) cannot be missed for good.
 *
 * @example
 * const summaries = new RunStepSummaries(runtime.store);
 * const table = await summaries.get(run);
 */
export class RunStepSummaries {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<RunStepTable>>();

  constructor(private readonly store: InstanceStore) {}

  async get(run: RunRecord): Promise<RunStepTable> {
    const running = this.pending.get(run.id);
    if (running) return await running;
    const update = this.update(run).finally(() => this.pending.delete(run.id));
    this.pending.set(run.id, update);
    return await update;
  }

  private async update(run: RunRecord): Promise<RunStepTable> {
    const finished = FINISHED.has(run.status);
    let entry = this.entries.get(run.id);
    if (entry?.live && finished) entry = undefined;
    if (!entry) entry = { table: new RunStepTable(run.plan as Plan | null), live: !finished };
    this.entries.delete(run.id);
    this.entries.set(run.id, entry);
    while (this.entries.size > KEEP) this.entries.delete(this.entries.keys().next().value as string);
    for (;;) {
      const events = await this.store.listEvents({
        runId: run.id,
        afterId: entry.table.lastEventId,
        types: STEP_EVENT_TYPES,
        limit: PAGE,
      });
      for (const event of events) entry.table.apply(event);
      if (events.length < PAGE) break;
    }
    entry.live = !finished;
    return entry.table;
  }
}
