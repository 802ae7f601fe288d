import type { Notifier } from '../../resources/notifier/index.js';
import type { AlertSink } from '../../schedules/index.js';

/**
 * The daemon's alerts (run failures, failed blocking checks, freshness breaches) sent through the
 * `notifier` resource, i.e. logged and posted to the configured webhook.
 *
 * @example
 * new ShopflowDaemon({ runtime, alerts: notifierAlertSink(await runtime.resources.get(notifier)) });
 */
export function notifierAlertSink(notify: Notifier): AlertSink {
  return {
    async send(alert) {
      await notify.notify({
        severity: alert.severity,
        type: alert.kind,
        title: alert.title,
        text: alert.message,
        runId: alert.runId ?? undefined,
        assetKey: alert.assetKey ?? undefined,
        partitionKey: alert.partitionKey ?? null,
        fields: alert.source ? { Source: alert.source } : undefined,
      });
    },
  };
}
