import { z } from 'zod';
import { ShopflowError } from '../../framework/errors/error-catalog.js';
import { type LocalObjectStoreConfig, LocalObjectStoreConfigSchema } from './local/local-config.js';
import { type S3ObjectStoreConfig, S3ObjectStoreConfigSchema } from './s3/s3-config.js';

/**
 * The object store section of a config file: `{ type: 'local', path }` (default) or
 * `{ type: 's3', bucket, … }`.
 *
 * @example
 * ObjectStoreConfigSchema.parse({ type: 's3', bucket: 'shopflow-landing', region: 'eu-west-1' });
 */
export const ObjectStoreConfigSchema = z.discriminatedUnion('type', [
  LocalObjectStoreConfigSchema,
  S3ObjectStoreConfigSchema,
]);

/** A config for `createObjectStore`: a validated file section, or the same built in code with retry hooks. */
export type ObjectStoreConfig = LocalObjectStoreConfig | S3ObjectStoreConfig;

/**
 * Validates an object store config; throws `SF_CONFIG_INVALID` naming the field, the bad value's
 * source and what is expected.
 *
 * @example
 * parseObjectStoreConfig(yaml.objectStore, 'config/prod.yaml: objectStore');
 */
export function parseObjectStoreConfig(
  input: unknown,
  source = 'object store config',
): z.infer<typeof ObjectStoreConfigSchema> {
  const result = ObjectStoreConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.join('.') || '(root)';
  throw new ShopflowError('SF_CONFIG_INVALID', `${source}: field \`${field}\` is invalid: ${issue.message}`, {
    hint:
      field === 'type' || field === '(root)'
        ? "set `type` to 'local' (with `path`) or 's3' (with `bucket`)"
        : undefined,
    details: { issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
  });
}
