import { z } from 'zod';

/**
 * Config of the local-folder object store (the default): objects are files under `path`.
 *
 * @example
 * LocalObjectStoreConfigSchema.parse({ type: 'local', path: '.shopflow/landing' });
 */
export const LocalObjectStoreConfigSchema = z
  .object({
    type: z.literal('local'),
    /** Root folder; created on first write. Relative paths resolve against the working directory. */
    path: z.string().min(1, 'the local object store needs a folder `path`'),
  })
  .strict();

export type LocalObjectStoreConfig = z.infer<typeof LocalObjectStoreConfigSchema>;
