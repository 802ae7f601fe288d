import { type EventRecord, formatAssetPartition, type SensorDefinition } from '../framework/index.js';
import { defineSensor } from './define-sensor.js';

/** The name of the sensor the daemon adds unless the definitions have one by that name. */
export const RUN_FAILURE_SENSOR = 'run_failure_alerts';

// NOTE: events read per evaluation; a backlog is worked off over several evaluations.
const PAGE = 5000;
// NOTE: without a cursor (first evaluation on an instance), older failures are history, not news.
const FIRST_LOOKBACK_MS = 24 * 3_600_000;

function isBlockingCheckFailure(event: EventRecord): boolean {
  return event.type === 'check_evaluation' && event.data.severity === 'error' && event.data.passed === false;
}

/**
 * A sensor that sends an alert for every failed run and every failed blocking (`error`) check,
 * once each, whoever launched the run (daemon, CLI, web). It follows the event log by id; its
 * cursor is the last event id read. On its first evaluation it alerts on failures of the last 24 h.
 *
 * @example
 * defineDefinitions({ assets, sensors: [runFailureSensor({ intervalSeconds: 15 })] });
 */
export function runFailureSensor(
  options: { name?: string; intervalSeconds?: number } = {},
): SensorDefinition {
  return defineSensor({
    name: options.name ?? RUN_FAILURE_SENSOR,
    description: 'alerts on failed runs and failed blocking checks',
    intervalSeconds: options.intervalSeconds ?? 15,
    async evaluate({ cursor, store, alert, now }) {
      const afterId = cursor ? Number(cursor) : 0;
      const events = await store.listEvents({
        afterId,
        types: ['run_failure', 'check_evaluation'],
        limit: PAGE,
      });
      const since = cursor ? '' : new Date(now.getTime() - FIRST_LOOKBACK_MS).toISOString();
      let sent = 0;
      for (const event of events) {
        if (event.ts < since) continue;
        if (event.type === 'run_failure') {
          const run = await store.getRun(event.runId);
          const source = run?.tags.schedule ?? run?.tags.sensor ?? run?.tags.backfill ?? null;
          const sentNow = await alert({
            kind: 'run_failure',
            severity: 'error',
            dedupeKey: `run_failure:${event.runId}`,
            title: `Run ${event.runId.slice(0, 8)} failed${source ? ` (${source})` : ''}`,
            message: event.message ?? run?.error ?? 'the run failed',
            at: event.ts,
            runId: event.runId,
            source,
            details: { selection: run?.selection ?? null, tags: run?.tags ?? {} },
          });
          if (sentNow) sent++;
        } else if (isBlockingCheckFailure(event)) {
          const label = formatAssetPartition(event.assetKey!, event.partitionKey);
          const check = String(event.data.check);
          const sentNow = await alert({
            kind: 'check_failure',
            severity: 'error',
            dedupeKey: `check_failure:${event.runId}:${label}:${check}`,
            title: `Blocking check ${event.assetKey}:${check} failed on ${label}`,
            message: event.message ?? `${check} failed`,
            at: event.ts,
            runId: event.runId,
            assetKey: event.assetKey,
            partitionKey: event.partitionKey,
            details: { check, failingRows: event.data.failingRows ?? null },
          });
          if (sentNow) sent++;
        }
      }
      const last = events.at(-1)?.id ?? afterId;
      return {
        cursor: String(last),
        message: sent ? `${sent} alerts sent` : `no new failures (read ${events.length} events)`,
      };
    },
  });
}
