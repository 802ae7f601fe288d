import { type EventRecord, formatAssetPartition, type Plan } from '../../framework/index.js';

export type StepStatus = 'pending' | 'running' | 'success' | 'failed' | 'skipped' | 'check_failed';

/** One bar of the run page's Gantt chart. */
export interface StepSpan {
  key: string;
  assetKey: string;
  partitionKey: string | null;
  status: StepStatus;
  startedAt: string | null;
  finishedAt: string | null;
  attempts: number;
  rowCount: number | null;
  message: string | null;
}

/**
 * Per-step start and end from a run's events, in plan order (steps not started yet are `pending`).
 *
 * @example
 * stepTimeline(run.plan as Plan, await store.listEvents({ runId: run.id }))
 */
export function stepTimeline(plan: Plan | null, events: EventRecord[]): StepSpan[] {
  const spans = new Map<string, StepSpan>();
  for (const step of plan?.steps ?? []) {
    spans.set(step.key, {
      key: step.key,
      assetKey: step.assetKey,
      partitionKey: step.partitionKey,
      status: 'pending',
      startedAt: null,
      finishedAt: null,
      attempts: 0,
      rowCount: null,
      message: null,
    });
  }
  for (const event of events) {
    if (!event.assetKey || !event.type.startsWith('step_')) continue;
    const key = formatAssetPartition(event.assetKey, event.partitionKey);
    let span = spans.get(key);
    if (!span) {
      span = {
        key,
        assetKey: event.assetKey,
        partitionKey: event.partitionKey,
        status: 'pending',
        startedAt: null,
        finishedAt: null,
        attempts: 0,
        rowCount: null,
        message: null,
      };
      spans.set(key, span);
    }
    switch (event.type) {
      case 'step_start':
        span.status = 'running';
        span.startedAt = event.ts;
        span.attempts = Math.max(span.attempts, 1);
        break;
      case 'step_retry':
        span.attempts += 1;
        span.message = event.message;
        break;
      case 'step_success':
        span.status = event.data.blocking === true ? 'check_failed' : 'success';
        span.finishedAt = event.ts;
        span.rowCount = typeof event.data.rowCount === 'number' ? event.data.rowCount : null;
        span.message = event.message;
        break;
      case 'step_failure':
        span.status = 'failed';
        span.startedAt ??= event.ts;
        span.finishedAt = event.ts;
        span.message = event.message;
        break;
      case 'step_skipped':
        span.status = 'skipped';
        span.startedAt ??= event.ts;
        span.finishedAt = event.ts;
        span.message = event.message;
        break;
    }
  }
  return [...spans.values()];
}
