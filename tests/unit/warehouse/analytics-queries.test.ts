import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isShopflowError } from '../../../framework/errors/error-catalog.js';
import {
  ANALYTICS_QUERY_NAMES,
  loadAnalyticsQueries,
  splitNamedQueries,
} from '../../../resources/postgres/analytics-queries.js';

describe('splitNamedQueries', () => {
  it('splits on `-- name:` lines, keeps comments and drops the trailing semicolon', () => {
    const text = '-- header\n\n-- name: one\n-- Question: one?\nselect 1;\n\n-- name: two\nselect\n  2 ;\n';
    expect(splitNamedQueries(text)).toEqual({ one: '-- Question: one?\nselect 1', two: 'select\n  2' });
  });
});

describe('loadAnalyticsQueries', () => {
  it('reads the four documented queries of sql/analytics/basic_analytics.sql', () => {
    const queries = loadAnalyticsQueries();
    expect(Object.keys(queries).sort()).toEqual([...ANALYTICS_QUERY_NAMES].sort());
    for (const name of ANALYTICS_QUERY_NAMES) {
      expect(queries[name]).toMatch(/-- Question:/);
      expect(queries[name]).toMatch(/-- Grain:/);
      expect(queries[name]).toMatch(/-- Assumptions:/);
      expect(queries[name]).toMatch(/order by/i);
      expect(queries[name]).not.toMatch(/;\s*$/);
    }
  });

  it('names a missing query', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shopflow-analytics-'));
    try {
      const path = join(dir, 'partial.sql');
      writeFileSync(path, '-- name: top_customers\nselect 1;\n');
      let error: unknown;
      try {
        loadAnalyticsQueries(path);
      } catch (caught) {
        error = caught;
      }
      expect(isShopflowError(error, 'SF_INPUT_INVALID')).toBe(true);
      expect((error as Error).message).toContain('-- name: best_sellers_by_category');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
