import type { z } from 'zod';
import { configValidationError } from './config-validation-error.js';
import { displayPath } from './display-path.js';

/** What {@link validateSection} needs from a loaded configuration. */
export interface ConfigWithResources {
  resources: Record<string, unknown>;
  /** The configuration file, named in errors. */
  source?: string;
  /** Strings redacted from quoted values in errors. */
  secrets?: readonly string[];
  /** The environment variables a field came from, named in errors (see `interpolateEnv`). */
  fromEnvironment?: Readonly<Record<string, readonly string[]>>;
}

/**
 * Validates `config.resources[name]` with a resource's own schema and returns the parsed value. A
 * failure is a `SF_CONFIG_INVALID` naming the file, the field (`resources.<name>.<path>`), the bad
 * value, what was expected and the fix — the same quality as errors in the framework's own fields.
 *
 * @example
 * const GeneratorConfig = z.strictObject({ seed: z.int().default(42), scale: z.number().positive().default(1) });
 * const generator = validateSection(config, 'generator', GeneratorConfig.prefault({}));
 */
export function validateSection<T>(config: ConfigWithResources, name: string, schema: z.ZodType<T>): T {
  const input = config.resources[name];
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw configValidationError({
    file: config.source ? displayPath(config.source) : 'the configuration',
    issues: result.error.issues,
    input,
    schema,
    prefix: ['resources', name],
    secrets: config.secrets,
    fromEnvironment: config.fromEnvironment,
  });
}
