import { readFileSync } from 'node:fs';
import { ShopflowError } from '../../framework/errors/error-catalog.js';
import { sqlDirectory } from './sql-directory.js';

/** The names of the queries in `sql/analytics/basic_analytics.sql`. */
export const ANALYTICS_QUERY_NAMES = [
  'top_customers',
  'best_sellers_by_category',
  'monthly_revenue',
  'aov_by_country',
] as const;

export type AnalyticsQueryName = (typeof ANALYTICS_QUERY_NAMES)[number];

/**
 * Splits an SQL file on its `-- name: <query>` lines into query name → SQL text (comments kept,
 * trailing `;` removed).
 *
 * @example
 * splitNamedQueries('-- name: one\nselect 1;\n-- name: two\nselect 2;'); // { one: 'select 1', two: 'select 2' }
 */
export function splitNamedQueries(text: string): Record<string, string> {
  const queries: Record<string, string> = {};
  const sections = text.split(/^--\s*name:\s*/m).slice(1);
  for (const section of sections) {
    const newline = section.indexOf('\n');
    const name = (newline === -1 ? section : section.slice(0, newline)).trim();
    const body = newline === -1 ? '' : section.slice(newline + 1);
    queries[name] = body.trim().replace(/\s*;\s*$/, '');
  }
  return queries;
}

/**
 * The four portable analytics of `sql/analytics/basic_analytics.sql`. They read relations
 * `customers`, `products` and `transactions`: on PostgreSQL run them after
 * `set search_path to shopflow_analytics`; on DuckDB against tables of the same shape.
 *
 * @example
 * const queries = loadAnalyticsQueries();
 * await client.query('set search_path to shopflow_analytics');
 * const { rows } = await client.query(queries.top_customers);
 */
export function loadAnalyticsQueries(
  path: string = sqlDirectory('analytics', 'basic_analytics.sql'),
): Record<AnalyticsQueryName, string> {
  const queries = splitNamedQueries(readFileSync(path, 'utf8'));
  const result = {} as Record<AnalyticsQueryName, string>;
  for (const name of ANALYTICS_QUERY_NAMES) {
    const query = queries[name];
    if (!query) {
      throw new ShopflowError('SF_INPUT_INVALID', `\`${path}\` has no query marked \`-- name: ${name}\``, {
        hint: 'restore the query or its `-- name:` line',
      });
    }
    result[name] = query;
  }
  return result;
}
