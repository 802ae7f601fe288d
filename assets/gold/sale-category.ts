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
  const earliestKnown = options.knownBefore ? ` and f.updated_at < s.${options.knownBefore}` : '';
  return `select s.*,
      coalesce(v.category, f.category) as category,
      coalesce(v.updated_at, f.updated_at) as category_version_ts
    from (${sales}) s
    asof left join (select product_id, category, updated_at from ${versions}) v
      on s.product_id = v.product_id and s.transaction_ts >= v.updated_at
    left join (
      select product_id, arg_min(category, updated_at) as category, min(updated_at) as updated_at
      from ${versions} group by product_id
    ) f on f.product_id = s.product_id and v.product_id is null${earliestKnown}`;
}
