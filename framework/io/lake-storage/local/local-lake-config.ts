import { z } from 'zod';
import { numberFrom, textField } from '../../../config/config-fields.js';

/**
 * The `lake` section for a lake in a local folder (the default).
 *
 * @example
 * lake: { type: local, path: /srv/shopflow/lake }
 */
export const LocalLakeConfigSchema = z.strictObject({
  type: z.literal('local'),
  /** Folder of the lake; `<home>/lake` when absent. */
  path: textField().optional(),
  /** Files no committed version references are removed by `shopflow sweep` once this old. */
  orphanGraceMinutes: numberFrom(0).optional(),
});

export type LocalLakeConfig = z.output<typeof LocalLakeConfigSchema>;
