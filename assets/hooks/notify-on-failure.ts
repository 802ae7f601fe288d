import { defineEventHook, type EventRecord, formatAssetPartition } from '../../framework/index.js';
import type { Alert } from '../../resources/notifier/index.js';
import { notifier } from '../resources/notifier.js';

/**
 * The alert for an event, or undefined when the event needs none: a failed blocking (`error`)
 * check becomes a `check_failure` alert naming the asset, partition, check and failing rows; a
 * failed run becomes a `run_failure` alert with the run's error.
 *
 * @example
 * failureAlert(event)?.title; // 'Blocking check failed: readings[2024-01-03] · temperature_plausible'
 */
export function failureAlert(event: EventRecord): Alert | undefined {
  if (event.type === 'check_evaluation') {
    if (event.data.passed !== false || event.data.severity !== 'error') return undefined;
    const check = String(event.data.check ?? 'unknown check');
    const where = formatAssetPartition(event.assetKey ?? 'unknown asset', event.partitionKey);
    const fields: Record<string, string> = {
      Asset: event.assetKey ?? 'unknown',
      ...(event.partitionKey ? { Partition: event.partitionKey } : {}),
      Check: check,
    };
    if (event.data.failingRows !== null && event.data.failingRows !== undefined)
      fields['Failing rows'] = String(event.data.failingRows);
    fields.Run = event.runId;
    return {
      severity: 'error',
      type: 'check_failure',
      title: `Blocking check failed: ${where} · ${check}`,
      text: `${event.message ?? `${check} failed`}. Downstream steps of this partition were not run.`,
      fields,
      runId: event.runId,
      assetKey: event.assetKey ?? undefined,
      partitionKey: event.partitionKey,
    };
  }
  if (event.type === 'run_failure') {
    const fields: Record<string, string> = { Run: event.runId };
    const count = (name: string) => (typeof event.data[name] === 'number' ? (event.data[name] as number) : 0);
    if (typeof event.data.steps === 'number') fields.Steps = String(event.data.steps);
    // NOTE: only the counts that are not zero: a run stopped by a blocking check has no failed step.
    if (count('failed') > 0) fields['Failed steps'] = String(count('failed'));
    if (count('blockedByChecks') > 0) fields['Failed a blocking check'] = String(count('blockedByChecks'));
    if (count('skipped') > 0) fields['Skipped (upstream missing or blocked)'] = String(count('skipped'));
    const id = event.runId.slice(0, 8);
    // NOTE: a retry re-runs failed steps; a run with none needs its cause fixed first (a failed check,
    // a missing upstream partition), which `runs show` names.
    const next =
      count('failed') > 0 || event.data.broken === true
        ? `Inspect it with \`shopflow runs show ${id}\`; retry with \`shopflow runs retry ${id}\`.`
        : `Inspect it with \`shopflow runs show ${id}\`: fix what blocked it, then materialize again.`;
    return {
      severity: 'error',
      type: 'run_failure',
      title: `Run ${id} failed`,
      text: `${event.message ?? 'run failed'}. ${next}`,
      fields,
      runId: event.runId,
    };
  }
  return undefined;
}

/**
 * The once-only key of an alert, shared with the daemon's run-failure sensor (`schedules/`), so a
 * failure is announced once whichever process sees it first.
 */
export function alertDedupeKey(event: EventRecord): string {
  if (event.type === 'run_failure') return `run_failure:${event.runId}`;
  return `check_failure:${event.runId}:${formatAssetPartition(event.assetKey ?? '', event.partitionKey)}:${String(event.data.check)}`;
}

/**
 * Sends an alert through the `notifier` resource for every failed blocking check and every failed
 * run, in the process that runs it, once (recorded in the instance store). A notifier that cannot
 * reach its webhook logs that and the run goes on.
 */
export const notifyOnFailure = defineEventHook({
  name: 'notify_on_failure',
  types: ['check_evaluation', 'run_failure'],
  async onEvent(event, { resource, store }) {
    const alert = failureAlert(event);
    if (!alert) return;
    const fresh = await store.recordAlertSent({
      dedupeKey: alertDedupeKey(event),
      kind: alert.type ?? alert.severity,
      sentAt: new Date().toISOString(),
      alert: { title: alert.title, runId: alert.runId ?? null },
    });
    if (fresh) await (await resource(notifier)).notify(alert);
  },
});
