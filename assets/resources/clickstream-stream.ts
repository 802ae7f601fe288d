import { defineResource } from '../../framework/index.js';
import { type ClickstreamSettings, ClickstreamSettingsSchema } from '../streaming/clickstream-settings.js';

/**
 * The clickstream's stream and windowing settings (`resources.stream`): a local Kinesis-compatible
 * server on the embedded defaults, an AWS Kinesis stream in production (see
 * `ClickstreamSettingsSchema`).
 */
export const clickstreamStream = defineResource<ClickstreamSettings, unknown>({
  name: 'stream',
  configSchema: ClickstreamSettingsSchema.prefault({}),
  create: ({ config }) => ClickstreamSettingsSchema.parse(config ?? {}),
});
