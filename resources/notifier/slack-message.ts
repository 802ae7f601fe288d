import type { Alert, AlertSeverity } from './alert.js';

/** A Slack-compatible incoming-webhook body (Block Kit). */
export interface SlackMessage {
  /** Plain fallback text for notifications and clients without blocks. */
  text: string;
  blocks: Array<Record<string, unknown>>;
}

const ICON: Record<AlertSeverity, string> = { error: '🔴', warning: '🟠', info: '🔵' };
// NOTE: Slack's limits: header text 150 characters, section text 3,000, at most 10 fields a section.
const HEADER_MAX = 150;
const TEXT_MAX = 3000;
const FIELD_MAX = 2000;
const FIELDS_PER_SECTION = 10;

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Escapes the three characters Slack's mrkdwn treats as markup. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The fields shown under the text: the alert's own, then asset, partition and run. */
export function alertFields(alert: Alert): Array<[string, string]> {
  const fields: Array<[string, string]> = Object.entries(alert.fields ?? {});
  const has = (label: string) => fields.some(([l]) => l.toLowerCase() === label.toLowerCase());
  if (alert.assetKey && !has('Asset')) fields.push(['Asset', alert.assetKey]);
  if (alert.partitionKey && !has('Partition')) fields.push(['Partition', alert.partitionKey]);
  if (alert.runId && !has('Run')) fields.push(['Run', alert.runId]);
  return fields;
}

/**
 * The webhook body for an alert: fallback `text`, then a header, a section with the text and
 * sections of fields (at most 10 each), and a context line with the severity.
 *
 * @example
 * slackMessage({ severity: 'error', title: 'Run failed', text: 'steps: 1 failed', runId: 'f3c1…' });
 * // { text: '🔴 Run failed: steps: 1 failed', blocks: [{ type: 'header', … }, …] }
 */
export function slackMessage(alert: Alert): SlackMessage {
  const title = `${ICON[alert.severity]} ${alert.title}`;
  const blocks: Array<Record<string, unknown>> = [
    { type: 'header', text: { type: 'plain_text', text: truncate(title, HEADER_MAX), emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: truncate(escapeMrkdwn(alert.text), TEXT_MAX) } },
  ];
  const fields = alertFields(alert);
  for (let i = 0; i < fields.length; i += FIELDS_PER_SECTION) {
    blocks.push({
      type: 'section',
      fields: fields.slice(i, i + FIELDS_PER_SECTION).map(([label, value]) => ({
        type: 'mrkdwn',
        text: truncate(`*${escapeMrkdwn(label)}*\n${escapeMrkdwn(value)}`, FIELD_MAX),
      })),
    });
  }
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: `ShopFlow · severity *${alert.severity}*${alert.type ? ` · ${escapeMrkdwn(alert.type)}` : ''}`,
      },
    ],
  });
  return { text: truncate(`${title}: ${alert.text}`, TEXT_MAX), blocks };
}
