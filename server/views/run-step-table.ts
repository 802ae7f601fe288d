import { type EventRecord, type EventType, formatAssetPartition, type Plan } from '../../framework/index.js';

export type StepStatus =
  | 'pending'
  | 'running'
  | 'success'
  | 'up_to_date'
  | 'failed'
  | 'skipped'
  | 'check_failed';
export const STEP_STATUSES: StepStatus[] = [
  'pending',
  'running',
  'success',
  'up_to_date',
  'failed',
  'check_failed',
  'skipped',
];

/**
 * The reasons of a `step_skipped` event that mean the step had nothing to do (its upstream came
 * out identical, or changed only after the time it reads): `up_to_date`, not `skipped`, which is
 * a step that could not run (an upstream failed, is missing or was blocked by a check).
 */
export const UP_TO_DATE_REASONS: readonly string[] = ['upstream_unchanged', 'change_outside_window'];
/** The events that move a step, or start or end the run. */
export const STEP_EVENT_TYPES: EventType[] = [
  'run_start',
  'run_success',
  'run_failure',
  'run_cancel_requested',
  'run_canceled',
  'step_start',
  'step_retry',
  'step_success',
  'step_failure',
  'step_skipped',
];

/** One step of a run: where it is and when it ran. */
export interface StepRow {
  key: string;
  assetKey: string;
  partitionKey: string | null;
  status: StepStatus;
  startedAt: string | null;
  finishedAt: string | null;
  attempts: number;
  rowCount: number | null;
  /** The last message of a failed, skipped or retried step. */
  message: string | null;
  /** The `shopflow worker` that ran the step's last attempt (queue executor), else null. */
  worker: string | null;
}

/**
 * The state of every step of one run, built from its step events (all of them, applied in id
 * order) on top of its plan (steps not started yet are `pending`). The page applies the same rules
 * to the events it receives live (`public/run-steps.js`).
 *
 * @example
 * const table = new RunStepTable(run.plan as Plan);
 * for (const event of await store.listEvents({ runId: run.id, types: STEP_EVENT_TYPES })) table.apply(event);
 * table.counts(); // { success: 1290, failed: 1, skipped: 3, … }
 */
export class RunStepTable {
  readonly rows: StepRow[] = [];
  private readonly byKey = new Map<string, StepRow>();
  /** The highest event id applied. */
  lastEventId = 0;
  /** When the run started and ended, by its own events (null until they happen). */
  startedAt: string | null = null;
  finishedAt: string | null = null;
  /** Who asked to cancel the run and when, once someone did. */
  cancelRequested: { by: string; at: string } | null = null;

  constructor(plan: Plan | null) {
    for (const step of plan?.steps ?? []) this.row(step.key, step.assetKey, step.partitionKey);
  }

  private row(key: string, assetKey: string, partitionKey: string | null): StepRow {
    let row = this.byKey.get(key);
    if (!row) {
      row = {
        key,
        assetKey,
        partitionKey,
        status: 'pending',
        startedAt: null,
        finishedAt: null,
        attempts: 0,
        rowCount: null,
        message: null,
        worker: null,
      };
      this.byKey.set(key, row);
      this.rows.push(row);
    }
    return row;
  }

  apply(event: EventRecord): void {
    if (event.id > this.lastEventId) this.lastEventId = event.id;
    if (event.type === 'run_start') this.startedAt ??= event.ts;
    if (event.type === 'run_cancel_requested')
      this.cancelRequested ??= { by: String(event.data.by ?? 'someone'), at: event.ts };
    if (event.type === 'run_success' || event.type === 'run_failure' || event.type === 'run_canceled')
      this.finishedAt = event.ts;
    if (!event.assetKey || !event.type.startsWith('step_')) return;
    const row = this.row(
      formatAssetPartition(event.assetKey, event.partitionKey),
      event.assetKey,
      event.partitionKey,
    );
    switch (event.type) {
      case 'step_start':
        row.status = 'running';
        row.startedAt = event.ts;
        row.attempts = Math.max(row.attempts, 1);
        row.worker = typeof event.data.worker === 'string' ? event.data.worker : null;
        break;
      case 'step_retry':
        row.attempts += 1;
        row.message = event.message;
        break;
      case 'step_success':
        row.status = event.data.blocking === true ? 'check_failed' : 'success';
        row.finishedAt = event.ts;
        row.rowCount = typeof event.data.rowCount === 'number' ? event.data.rowCount : null;
        row.message = event.data.blocking === true ? event.message : null;
        break;
      case 'step_failure':
        row.status = 'failed';
        row.startedAt ??= event.ts;
        row.finishedAt = event.ts;
        row.message = event.message;
        break;
      case 'step_skipped':
        row.status = UP_TO_DATE_REASONS.includes(String(event.data.reason)) ? 'up_to_date' : 'skipped';
        row.startedAt ??= event.ts;
        row.finishedAt = event.ts;
        row.message = event.message;
        break;
    }
  }

  /** Steps by status; every status is present. */
  counts(): Record<StepStatus, number> {
    const counts = Object.fromEntries(STEP_STATUSES.map((s) => [s, 0])) as Record<StepStatus, number>;
    for (const row of this.rows) counts[row.status]++;
    return counts;
  }
}
