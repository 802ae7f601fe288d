/**
 * The steps of a run on the page: built from the server's compact step table (computed from all of
 * the run's events), then moved by the events that arrive live, with the same rules as the server
 * (`server/views/run-step-table.ts`).
 */

export const STEP_STATUSES = [
  'success',
  'up_to_date',
  'running',
  'pending',
  'failed',
  'check_failed',
  'skipped',
];
export const STEP_STATUS_WORDS = {
  success: 'succeeded',
  up_to_date: 'up to date',
  running: 'running',
  pending: 'waiting',
  failed: 'failed',
  check_failed: 'failed a check',
  skipped: 'skipped',
};

function keyOf(assetKey, partitionKey) {
  return partitionKey === null || partitionKey === undefined ? assetKey : `${assetKey}[${partitionKey}]`;
}

export class StepTable {
  /**
   * @param {{ assets: string[], steps: any[][], messages: Record<string, string>, workers?: Record<string, string>, window: { startedAt: string } }} detail
   *   the body of `GET /api/runs/:id`
   */
  constructor(detail) {
    this.origin = Date.parse(detail.window.startedAt);
    this.assets = [...detail.assets];
    this.rows = [];
    this.byKey = new Map();
    for (const [asset, partitionKey, status, startMs, endMs, attempts, rowCount] of detail.steps) {
      const assetKey = detail.assets[asset];
      const key = keyOf(assetKey, partitionKey);
      const row = {
        key,
        assetKey,
        partitionKey,
        status,
        start: startMs === null ? null : this.origin + startMs,
        end: endMs === null ? null : this.origin + endMs,
        attempts,
        rowCount,
        message: detail.messages[key] ?? null,
        worker: detail.workers?.[key] ?? null,
      };
      this.rows.push(row);
      this.byKey.set(key, row);
    }
  }

  row(assetKey, partitionKey) {
    const key = keyOf(assetKey, partitionKey);
    let row = this.byKey.get(key);
    if (!row) {
      if (!this.assets.includes(assetKey)) this.assets.push(assetKey);
      row = {
        key,
        assetKey,
        partitionKey,
        status: 'pending',
        start: null,
        end: null,
        attempts: 0,
        rowCount: null,
        message: null,
        worker: null,
      };
      this.rows.push(row);
      this.byKey.set(key, row);
    }
    return row;
  }

  /** Applies one live event (the page view of an event: `{ type, ts, assetKey, partitionKey, message, data }`). */
  apply(event) {
    if (!event.assetKey || !event.type.startsWith('step_')) return;
    const row = this.row(event.assetKey, event.partitionKey);
    const ts = Date.parse(event.ts);
    switch (event.type) {
      case 'step_start':
        row.status = 'running';
        row.start = ts;
        row.attempts = Math.max(row.attempts, 1);
        row.worker = typeof event.data?.worker === 'string' ? event.data.worker : null;
        break;
      case 'step_retry':
        row.attempts += 1;
        row.message = event.message;
        break;
      case 'step_success':
        row.status = event.data.blocking === true ? 'check_failed' : 'success';
        row.end = ts;
        row.rowCount = typeof event.data.rowCount === 'number' ? event.data.rowCount : null;
        row.message = event.data.blocking === true ? event.message : null;
        break;
      case 'step_failure':
        row.status = 'failed';
        row.start ??= ts;
        row.end = ts;
        row.message = event.message;
        break;
      case 'step_skipped':
        // NOTE: the same rule as the server's UP_TO_DATE_REASONS (server/views/run-step-table.ts).
        row.status = ['upstream_unchanged', 'change_outside_window'].includes(event.data?.reason)
          ? 'up_to_date'
          : 'skipped';
        row.start ??= ts;
        row.end = ts;
        row.message = event.message;
        break;
    }
  }

  counts() {
    const counts = Object.fromEntries(STEP_STATUSES.map((s) => [s, 0]));
    for (const row of this.rows) counts[row.status] += 1;
    return counts;
  }

  /** The steps of each asset, in the order assets first appear. */
  byAsset() {
    const groups = new Map(this.assets.map((a) => [a, []]));
    for (const row of this.rows) groups.get(row.assetKey).push(row);
    return [...groups].filter(([, rows]) => rows.length > 0);
  }
}

/** `1290 succeeded · 3 failed …` for a counts object, statuses that occur only. */
export function countsText(counts) {
  return STEP_STATUSES.filter((s) => counts[s])
    .map((s) => `${counts[s]} ${STEP_STATUS_WORDS[s]}`)
    .join(' · ');
}
