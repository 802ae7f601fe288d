import { describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../../framework/duckdb/duckdb-session.js';
import { isShopflowError } from '../../../framework/errors/error-catalog.js';
import {
  landingDaySql,
  landingKey,
  landingPrefix,
  parseLandingKey,
} from '../../../resources/object-store/landing-keys.js';

function failure(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('landingKey', () => {
  it('lays out raw/year=YYYY/month=MM/day=DD/<dataset>/<file>', () => {
    expect(landingKey({ date: '2024-01-15', dataset: 'customers', file: 'customers.csv' })).toBe(
      'raw/year=2024/month=01/day=15/customers/customers.csv',
    );
    expect(landingKey({ date: '2023-12-31', dataset: 'clickstream', file: 'events-0001.jsonl' })).toBe(
      'raw/year=2023/month=12/day=31/clickstream/events-0001.jsonl',
    );
  });

  it('round-trips through parseLandingKey', () => {
    const parts = { date: '2024-02-29', dataset: 'transactions', file: 'transactions.csv' } as const;
    expect(parseLandingKey(landingKey(parts))).toEqual(parts);
  });

  it('rejects days that do not exist, quoting the value', () => {
    for (const date of ['2024-02-30', '2023-02-29', '2024-1-15', '15-01-2024', '2024-13-01']) {
      const error = failure(() => landingKey({ date, dataset: 'customers', file: 'a.csv' }));
      expect(isShopflowError(error, 'SF_INPUT_INVALID')).toBe(true);
      expect(error.message).toContain(`\`${date}\``);
    }
  });

  it('suggests the nearest dataset for a typo', () => {
    const error = failure(() =>
      landingKey({ date: '2024-01-15', dataset: 'custmers' as never, file: 'a.csv' }),
    );
    expect(isShopflowError(error, 'SF_INPUT_INVALID')).toBe(true);
    expect(error.message).toContain('`custmers`');
    expect(error.message).toContain('did you mean `customers`?');
  });

  it('rejects file names that are not a single segment', () => {
    for (const file of ['', 'a/b.csv', '..', '.']) {
      const error = failure(() => landingKey({ date: '2024-01-15', dataset: 'products', file }));
      expect(isShopflowError(error, 'SF_INPUT_INVALID')).toBe(true);
    }
  });
});

describe('landingPrefix', () => {
  it('gives the folder of a day, or of one dataset on that day', () => {
    expect(landingPrefix({ date: '2024-01-05' })).toBe('raw/year=2024/month=01/day=05/');
    expect(landingPrefix({ date: '2024-01-05', dataset: 'products' })).toBe(
      'raw/year=2024/month=01/day=05/products/',
    );
  });
});

describe('parseLandingKey', () => {
  it('rejects keys outside the landing layout with an example of the right shape', () => {
    for (const key of [
      'raw/customers.csv',
      'raw/year=2024/month=01/day=15/customers',
      'bronze/year=2024/month=01/day=15/customers/a.csv',
    ]) {
      const error = failure(() => parseLandingKey(key));
      expect(isShopflowError(error, 'SF_INPUT_INVALID')).toBe(true);
      expect(error.message).toContain(`\`${key}\``);
      expect(error.message).toContain('raw/year=2024/month=01/day=15/customers/customers.csv');
    }
  });

  it('rejects unknown datasets and impossible days inside a well-shaped key', () => {
    expect(() => parseLandingKey('raw/year=2024/month=01/day=15/orders/a.csv')).toThrow(
      /unknown landing dataset `orders`/,
    );
    expect(() => parseLandingKey('raw/year=2024/month=02/day=31/customers/a.csv')).toThrow(/`2024-02-31`/);
  });
});

describe('landingDaySql', () => {
  it('reads the day of a landing key in DuckDB, and NULL for any other text', async () => {
    const engine = new DuckDbEngine();
    const session = await engine.session();
    try {
      const keys = [
        landingKey({ date: '2024-02-29', dataset: 'customers', file: 'customers.csv' }),
        'raw/year=2024/month=13/day=01/customers/customers.csv',
        'raw/year=2024/month=01/day=15/customers',
        'landing/raw/year=2024/month=01/day=15/customers/customers.csv',
        '2024-01-15',
      ];
      const rows = await session.query(
        `select ${landingDaySql('k')}::VARCHAR as day from unnest([${keys.map((k) => `'${k}'`).join(', ')}, NULL]) t(k)`,
      );
      expect(rows.map((r) => r.day)).toEqual(['2024-02-29', null, null, null, null, null]);
    } finally {
      session.close();
      await engine.close();
    }
  });
});
