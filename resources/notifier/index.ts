export type { Alert, AlertSeverity } from './alert.js';
export { createNotifier, type Notifier, type NotifierOptions, type NotifyResult } from './create-notifier.js';
export { emfMetricLine, METRIC_NAMESPACE } from './emf-metric-line.js';
export { alertFields, type SlackMessage, slackMessage } from './slack-message.js';
