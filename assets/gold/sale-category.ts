import type { SqlFragment } from '../../framework/index.js';

/**
 * SQL for the rows of `sales` (a relation with `product_id` and `transaction_ts`) with the category
 * of the product version in effect at the sale (`silver_products` keeps every version): the latest
 * version with `updated_at <= transaction_ts`. A sale older than every version of its product (its
 * first versions were quarantined) takes the product's earliest version; with `knownBefore` (a
 * column of `sales`, e.g. a snapshot's `as_of`) only if that version existed before it, so a
 * point-in-time query never reads a version from its future. Adds `category` and
 * `category_version_ts` (the `updated_at` of the version used).
 *
 * @example
 * withSaleCategory(`select * from ${deps.transactions.toSql()}`, deps.products)
 */
export function withSaleCategory(
  sales: string,
  products: SqlFragment,
  options: { knownBefore?: string } = {},
): string {
  const versions = products.toSql();
  // NOTE: the earliest version is joined on the product alone and chosen in the select: a join
  // condition naming the ASOF side (`v.product_id is null`) makes DuckDB fall back to a nested-loop
  // join, quadratic in the number of sales.
  const earliest = options.knownBefore ? `f.updated_at < s.${options.knownBefore}` : 'true';
  return `select s.*,
      coalesce(v.category, case when ${earliest} then f.category end) as category,
      coalesce(v.updated_at, case when ${earliest} then f.updated_at end) as category_version_ts
    from (${sales}) s
    asof left join (select product_id, category, updated_at from ${versions}) v
      on s.product_id = v.product_id and s.transaction_ts >= v.updated_at
    left join (
      select product_id, arg_min(category, updated_at) as category, min(updated_at) as updated_at
      from ${versions} group by product_id
    ) f on f.product_id = s.product_id`;
}
