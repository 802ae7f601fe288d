import {
  type EventRecord,
  type EventType,
  type InstanceStore,
  parseAssetPartition,
} from '../../framework/index.js';

export type EventLevel = 'error' | 'warn' | 'info';
export const EVENT_LEVELS: EventLevel[] = ['error', 'warn', 'info'];
export const EVENT_TYPES: EventType[] = [
  'run_queued',
  'run_start',
  'run_success',
  'run_failure',
  'run_cancel_requested',
  'run_canceled',
  'step_start',
  'step_success',
  'step_failure',
  'step_skipped',
  'step_retry',
  'materialization',
  'check_evaluation',
  'log',
];

/** An event as the page shows it: the fields it reads, without the run id it already knows. */
export interface EventView {
  id: number;
  ts: string;
  type: EventType;
  level: EventLevel;
  assetKey: string | null;
  partitionKey: string | null;
  message: string | null;
  data: Record<string, unknown>;
  /** The stack trace of a failure; only for clients on this machine. */
  stack?: string;
}

const MESSAGE_LIMIT = 2_000;
const DATA_FIELDS = [
  'rowCount',
  'blocking',
  'check',
  'severity',
  'passed',
  'attempt',
  'delayMs',
  'reason',
  'code',
  'error',
  'steps',
  'failed',
  'worker',
  'failingRows',
  'quarantinedRows',
  'by',
  'notStarted',
  'detectedAt',
];

/**
 * How serious an event is: `error` for failed runs and steps and failed blocking checks, `warn`
 * for retries, steps skipped because an upstream was missing and failed warning checks, `info` for
 * the rest.
 *
 * @example
 * eventLevel({ type: 'step_retry', data: {} }) // 'warn'
 */
export function eventLevel(event: Pick<EventRecord, 'type' | 'data'>): EventLevel {
  switch (event.type) {
    case 'run_failure':
    case 'step_failure':
      return 'error';
    case 'step_retry':
    case 'run_cancel_requested':
    case 'run_canceled':
      return 'warn';
    case 'step_skipped':
      return event.data.reason === 'blocked' || event.data.reason === 'canceled' ? 'warn' : 'info';
    case 'step_success':
      return event.data.blocking === true ? 'error' : 'info';
    case 'check_evaluation':
      if (event.data.passed !== false) return 'info';
      return event.data.severity === 'error' ? 'error' : 'warn';
    default:
      return 'info';
  }
}

/** The types that can have a level, to narrow the store query. */
function typesOfLevel(level: EventLevel): EventType[] {
  if (level === 'error') return ['run_failure', 'step_failure', 'step_success', 'check_evaluation'];
  if (level === 'warn')
    return ['step_retry', 'step_skipped', 'check_evaluation', 'run_cancel_requested', 'run_canceled'];
  return EVENT_TYPES;
}

/**
 * The view of one event: long messages cut, only the data fields the page reads, the stack trace
 * only when `includeStack`.
 *
 * @example
 * eventView(event, { includeStack: isLoopbackAddress(clientAddress(request)) })
 */
export function eventView(event: EventRecord, options: { includeStack: boolean }): EventView {
  const data: Record<string, unknown> = {};
  for (const field of DATA_FIELDS) if (event.data[field] !== undefined) data[field] = event.data[field];
  const message =
    event.message && event.message.length > MESSAGE_LIMIT
      ? `${event.message.slice(0, MESSAGE_LIMIT - 1)}…`
      : event.message;
  const view: EventView = {
    id: event.id,
    ts: event.ts,
    type: event.type,
    level: eventLevel(event),
    assetKey: event.assetKey,
    partitionKey: event.partitionKey,
    message,
    data,
  };
  if (options.includeStack && typeof event.data.stack === 'string') view.stack = event.data.stack;
  return view;
}

export interface EventPageQuery {
  /** Only events older than this id (the cursor of "load earlier"). */
  before?: number;
  limit: number;
  /** `asset` (every step of it) or `asset[partition]`. */
  step?: string;
  type?: EventType;
  level?: EventLevel;
}

/**
 * One page of a run's events, newest first, filtered by step, type and level; `nextBefore` is the
 * cursor of the page before it (null when there is none).
 *
 * @example
 * await eventPage(store, run.id, { limit: 100, level: 'error' }) // { events, nextBefore }
 */
export async function eventPage(
  store: InstanceStore,
  runId: string,
  query: EventPageQuery,
): Promise<{ events: EventRecord[]; nextBefore: number | null }> {
  const step = query.step ? parseAssetPartition(query.step) : undefined;
  const types = query.type ? [query.type] : query.level ? typesOfLevel(query.level) : undefined;
  const events: EventRecord[] = [];
  let before = query.before;
  // NOTE: the level of a check evaluation is in its data: read pages until enough match.
  const batch = query.level ? Math.max(query.limit * 2, 200) : query.limit + 1;
  for (;;) {
    const page = await store.listEvents({
      runId,
      beforeId: before,
      assetKey: step?.assetKey,
      partitionKey: step && query.step!.includes('[') ? step.partitionKey : undefined,
      types,
      limit: batch,
      newestFirst: true,
    });
    for (const event of page) {
      if (query.level && eventLevel(event) !== query.level) continue;
      events.push(event);
      if (events.length > query.limit) break;
    }
    if (events.length > query.limit || page.length < batch) break;
    before = page[page.length - 1].id;
  }
  const more = events.length > query.limit;
  const shown = events.slice(0, query.limit);
  return { events: shown, nextBefore: more && shown.length > 0 ? shown[shown.length - 1].id : null };
}
