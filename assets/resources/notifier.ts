import { z } from 'zod';
import { defineResource } from '../../framework/index.js';
import { createNotifier, type Notifier } from '../../resources/notifier/index.js';

export const NotifierConfigSchema = z.strictObject({
  /** Slack-compatible incoming webhook; empty disables posting (alerts are still logged). */
  webhookUrl: z.union([z.literal(''), z.url({ protocol: /^https?$/ })]).default(''),
  /** How long one webhook attempt may take. */
  timeoutMs: z.coerce.number().int().positive().default(10_000),
});

/**
 * Failure and alert notifications (`resources.notifier`): every alert is logged and counted as a
 * `ShopFlowAlerts` CloudWatch metric line; with `webhookUrl` set (from `SHOPFLOW_WEBHOOK_URL`, a
 * secret) it is also posted to that Slack-compatible webhook.
 */
export const notifier = defineResource<Notifier, unknown>({
  name: 'notifier',
  configSchema: NotifierConfigSchema,
  create: ({ config, log }) => {
    const parsed = config as z.infer<typeof NotifierConfigSchema>;
    return createNotifier({ webhookUrl: parsed.webhookUrl, timeoutMs: parsed.timeoutMs, log });
  },
});
