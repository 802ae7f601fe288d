import { z } from 'zod';
import { defineResource } from '../../framework/index.js';

/** Days of source changes re-read before the watermark when no `lookbackDays` is configured. */
export const DEFAULT_SCD2_LOOKBACK_DAYS = 3;

export const StarSchemaConfigSchema = z.strictObject({
  /**
   * How far before the watermark (the newest `updated_at` merged so far) an incremental SCD2
   * dimension load re-reads silver, so a change that reaches silver late, but dated at most this many
   * days before the newest change already merged, is still placed in its dimension's history.
   * Re-reading is harmless: merging a change already merged changes nothing.
   */
  lookbackDays: z.coerce.number().min(0).default(DEFAULT_SCD2_LOOKBACK_DAYS),
});

/** The validated `resources.starSchema` section. */
export type StarSchemaSettings = z.infer<typeof StarSchemaConfigSchema>;

/**
 * Settings of the star-schema assets (`resources.starSchema` in the config file):
 * `lookbackDays` (default 3) of the incremental `dim_customer` / `dim_product` loads.
 *
 * @example
 * # config/prod.yaml
 * resources:
 *   starSchema:
 *     lookbackDays: 7
 */
export const starSchemaSettings = defineResource<StarSchemaSettings, unknown>({
  name: 'starSchema',
  configSchema: StarSchemaConfigSchema,
  create: ({ config }) => StarSchemaConfigSchema.parse(config ?? {}),
});
