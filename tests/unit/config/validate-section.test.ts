import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { validateSection } from '../../../framework/config/validate-section.js';
import { ShopflowError } from '../../../framework/errors/error-catalog.js';

const GeneratorSchema = z.strictObject({
  seed: z.int().default(42),
  scale: z.number().positive().default(1),
  start: z.iso.date(),
  mode: z.enum(['batch', 'stream']).default('batch'),
});

const StoreSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('local'), path: z.string() }),
  z.strictObject({ type: z.literal('s3'), bucket: z.string(), region: z.string().optional() }),
]);

const source = join(process.cwd(), 'config', 'dev.yaml');

function failure(
  resources: Record<string, unknown>,
  name: string,
  schema: z.ZodType,
  secrets: string[] = [],
) {
  try {
    validateSection({ resources, source, secrets }, name, schema);
  } catch (error) {
    expect(error).toBeInstanceOf(ShopflowError);
    expect((error as ShopflowError).code).toBe('SF_CONFIG_INVALID');
    expect((error as ShopflowError).exitCode).toBe(2);
    return error as ShopflowError;
  }
  throw new Error('expected an error');
}

describe('validateSection', () => {
  it('returns the parsed section with defaults applied', () => {
    const generator = validateSection(
      { resources: { generator: { start: '2024-01-01' } } },
      'generator',
      GeneratorSchema,
    );
    expect(generator).toEqual({ seed: 42, scale: 1, start: '2024-01-01', mode: 'batch' });
  });

  it('accepts an absent section when the schema has a default', () => {
    expect(
      validateSection(
        { resources: {} },
        'extra',
        z.strictObject({ on: z.boolean().default(false) }).prefault({}),
      ),
    ).toEqual({
      on: false,
    });
  });

  it('names the file, the full field path, the bad value, the expectation and the fix', () => {
    const error = failure({ generator: { start: '2024-01-01', scale: -2 } }, 'generator', GeneratorSchema);
    expect(error.message).toContain('config/dev.yaml');
    expect(error.message).toContain('`resources.generator.scale` is -2, expected a number > 0');
    expect(error.message).toContain('fix: set `resources.generator.scale` to a number > 0');
  });

  it('describes integer and format rules', () => {
    const error = failure({ generator: { start: 'January', seed: 4.2 } }, 'generator', GeneratorSchema);
    expect(error.message).toContain('`resources.generator.start` is "January", expected a valid date');
    expect(error.message).toContain('`resources.generator.seed` is 4.2, expected an integer');
  });

  it('suggests the closest key and enum value', () => {
    const error = failure(
      { generator: { start: '2024-01-01', sead: 1, mode: 'strem' } },
      'generator',
      GeneratorSchema,
    );
    expect(error.message).toContain(
      '`resources.generator.sead` is not a known field; fix: rename it (did you mean `seed`?)',
    );
    expect(error.message).toContain('`resources.generator.mode` is "strem"');
    expect(error.message).toContain('did you mean `stream`?');
  });

  it('reports a missing section and where to add it', () => {
    const error = failure({}, 'objectStore', StoreSchema);
    expect(error.message).toContain('`resources.objectStore` is missing');
    expect(error.message).toContain('fix: add `objectStore: …` under `resources`');
  });

  it('reports a missing field and unknown keys of the chosen variant', () => {
    const missing = failure({ objectStore: { type: 's3' } }, 'objectStore', StoreSchema);
    expect(missing.message).toContain('`resources.objectStore.bucket` is missing, expected a string');
    const unknown = failure(
      { objectStore: { type: 's3', bucket: 'b', regin: 'x' } },
      'objectStore',
      StoreSchema,
    );
    expect(unknown.message).toContain('did you mean `region`?');
    const variant = failure({ objectStore: { type: 'gcs' } }, 'objectStore', StoreSchema);
    expect(variant.message).toContain('`resources.objectStore.type` is "gcs", expected one of "local", "s3"');
  });

  it('keeps a message written by the schema author', () => {
    const schema = z.strictObject({ url: z.string().regex(/^postgres:\/\//, 'must start with postgres://') });
    const error = failure({ postgres: { url: 'mysql://db' } }, 'postgres', schema);
    expect(error.message).toContain('`resources.postgres.url` is "mysql://db": must start with postgres://');
  });

  it('redacts secrets from quoted values', () => {
    const schema = z.strictObject({ url: z.string().regex(/^postgres:\/\//, 'must start with postgres://') });
    const error = failure({ postgres: { url: 'mysql://app:pa55word@db/x' } }, 'postgres', schema, [
      'pa55word',
    ]);
    expect(error.message).toContain('mysql://app:[REDACTED]@db/x');
    expect(error.message).not.toContain('pa55word');
  });
});
