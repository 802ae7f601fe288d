import { z } from 'zod';
import { defineResource } from '../../framework/index.js';

export const IncrementalConfigSchema = z.strictObject({
  /** Changes this much older than the watermark are read again, to catch late arrivals. */
  lookbackHours: z.coerce.number().min(0).default(72),
});

export type IncrementalSettings = z.infer<typeof IncrementalConfigSchema>;

/** Settings of incremental (CDC) processing: `resources.incremental` in the config file. */
export const incrementalSettings = defineResource<IncrementalSettings, unknown>({
  name: 'incremental',
  configSchema: IncrementalConfigSchema,
  create: ({ config }) => IncrementalConfigSchema.parse(config ?? {}),
});
