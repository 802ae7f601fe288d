import { describe, expect, it } from 'vitest';
import { PostgresConfigSchema } from '../../../resources/postgres/postgres-config.js';

describe('PostgresConfigSchema', () => {
  it('accepts an embedded server with or without a folder', () => {
    expect(PostgresConfigSchema.parse({ mode: 'embedded' })).toEqual({ mode: 'embedded' });
    expect(PostgresConfigSchema.parse({ mode: 'embedded', dir: 'pg' })).toEqual({
      mode: 'embedded',
      dir: 'pg',
    });
  });

  it('accepts a connection URL', () => {
    const config = { mode: 'url', url: 'postgresql://u:pw@h:5432/db' };
    expect(PostgresConfigSchema.parse(config)).toEqual(config);
  });

  it('rejects an unknown mode, a URL that is not postgres:// and unknown keys', () => {
    expect(PostgresConfigSchema.safeParse({ mode: 'cloud' }).success).toBe(false);
    expect(PostgresConfigSchema.safeParse({ mode: 'url', url: 'mysql://u:pw@h/db' }).success).toBe(false);
    expect(PostgresConfigSchema.safeParse({ mode: 'url' }).success).toBe(false);
    expect(PostgresConfigSchema.safeParse({ mode: 'embedded', url: 'postgres://h/db' }).success).toBe(false);
  });

  it('does not repeat a rejected URL (and its password) in the issues', () => {
    const result = PostgresConfigSchema.safeParse({ mode: 'url', url: 'mysql://u:topsecret@h/db' });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).not.toContain('topsecret');
  });
});
