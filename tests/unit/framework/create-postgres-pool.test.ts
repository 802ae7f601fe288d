import { describe, expect, it } from 'vitest';
import type { ShopflowError } from '../../../framework/errors/error-catalog.js';
import { createPostgresPool } from '../../../framework/instance/postgres/create-postgres-pool.js';

function configError(url: string, variables?: string[]): ShopflowError {
  try {
    createPostgresPool(url, { variables });
  } catch (error) {
    expect(error).toMatchObject({ code: 'SF_CONFIG_INVALID' });
    return error as ShopflowError;
  }
  throw new Error('expected an error');
}

describe('createPostgresPool', () => {
  it.each([
    [
      'shopflow:SECRETpw@127.0.0.1',
      'the instance store URL `shopflow:[REDACTED]@127.0.0.1` is not a postgres:// URL',
    ],
    [
      'postgres://shopflow:ab/cdSECRETpw@db:5432/x',
      'the instance store URL `postgres://shopflow:[REDACTED]@db:5432/x` is not a URL',
    ],
    [
      'postgres://shopflow:ab#cdSECRETpw@db:5432/x',
      'the instance store URL `postgres://shopflow:[REDACTED]@db:5432/x` is not a URL',
    ],
    [
      'postgres://shopflow:12/cdSECRETpw@db:5432/x',
      'the instance store URL `postgres://shopflow:[REDACTED]@db:5432/x` is not a URL',
    ],
  ])('quotes a bad URL without its password (%#)', (url, message) => {
    const error = configError(url);
    expect(error.message.startsWith(`${message};`)).toBe(true);
    expect(error.hint).toContain('must be percent-encoded (e.g. `#` as `%23`');
    expect(`${error.message} ${error.hint} ${JSON.stringify(error.cause ?? null)}`).not.toContain('SECRETpw');
  });

  it('names the environment variable the URL came from in the fix', () => {
    expect(configError('shopflow:pw@db', ['SHOPFLOW_INSTANCE_URL']).hint).toContain(
      'write the instance store URL (from the environment variable SHOPFLOW_INSTANCE_URL) as postgres://',
    );
  });

  it('names the environment variable when the server cannot be reached', async () => {
    const { pool } = createPostgresPool('postgres://app:SECRETpw@127.0.0.1:1/shop', {
      variables: ['SHOPFLOW_INSTANCE_URL'],
    });
    try {
      const error = await pool.connect().then(
        () => undefined,
        (reason: ShopflowError) => reason,
      );
      expect(error).toMatchObject({ code: 'SF_UNREACHABLE' });
      expect(error?.hint).toBe(
        'start the PostgreSQL server or fix the host and port in the instance store URL (from the environment variable SHOPFLOW_INSTANCE_URL)',
      );
      expect(`${error?.message} ${error?.hint}`).not.toContain('SECRETpw');
    } finally {
      await pool.end();
    }
  });
});
