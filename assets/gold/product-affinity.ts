import { z } from 'zod';
import { inRange, notNull, storedTypes, unique } from '../../checks/index.js';
import { type AnyAsset, defineAsset, rowCheck, sql } from '../../framework/index.js';
import { silverTransactions } from '../silver/silver-transactions.js';

/** How many related products `product_affinity` keeps per product. */
export const AFFINITY_TOP_N = 10;

/**
 * Declares a `product_affinity` asset over `transactions` (any asset with `customer_id`,
 * `product_id` and `transaction_date` columns). A basket is the set of distinct products one
 * customer bought on one UTC day (transactions are single-product lines). For every ordered pair
 * (A, B) of products bought together in at least one basket, with N baskets in all:
 *
 * - co_purchase_baskets = baskets holding A and B; support = co / N;
 * - confidence = co / baskets(A) (how often a basket with A also holds B);
 * - lift = confidence / (baskets(B) / N); jaccard = co / (baskets(A) + baskets(B) − co).
 *
 * Keeps the top {@link AFFINITY_TOP_N} related products per product, ranked by co-purchase count,
 * then lift, then the related product id.
 *
 * @example
 * const affinity = defineProductAffinity({ transactions: silverTransactions });
 */
export function defineProductAffinity(options: { transactions: AnyAsset; key?: string }) {
  return defineAsset({
    key: options.key ?? 'product_affinity',
    group: 'gold',
    description: `Recommendation features: for each product, the top ${AFFINITY_TOP_N} products bought in the same baskets (basket = distinct products one customer bought on one UTC day) with co-purchase count, support, confidence, lift and Jaccard similarity.`,
    deps: { transactions: options.transactions },
    codeVersion: '1',
    schema: z.object({
      product_id: z.int().describe('The product (A)'),
      rank: z
        .int()
        .describe(`1…${AFFINITY_TOP_N}: by co_purchase_baskets, then lift, then related_product_id`),
      related_product_id: z.int().describe('A product bought together with A (B)'),
      co_purchase_baskets: z.int().describe('Baskets holding both A and B'),
      product_baskets: z.int().describe('Baskets holding A'),
      related_baskets: z.int().describe('Baskets holding B'),
      total_baskets: z.int().describe('All baskets (N)'),
      support: z.number().describe('co_purchase_baskets / N'),
      confidence: z.number().describe('co_purchase_baskets / product_baskets: P(B in basket | A in basket)'),
      lift: z
        .number()
        .describe('confidence / (related_baskets / N); above 1 = bought together more than by chance'),
      jaccard: z
        .number()
        .describe('co_purchase_baskets / (product_baskets + related_baskets − co_purchase_baskets)'),
    }),
    tags: ['recommendations'],
    owners: ['analytics'],
    checks: [
      storedTypes(),
      notNull(['product_id', 'related_product_id', 'rank']),
      unique(['product_id', 'related_product_id']),
      unique(['product_id', 'rank']),
      inRange('rank', { min: 1, max: AFFINITY_TOP_N }),
      inRange('confidence', { min: 0, max: 1, exclusiveMin: true }),
      inRange('jaccard', { min: 0, max: 1, exclusiveMin: true }),
      rowCheck({
        name: 'pair_consistent',
        description: 'a product is never related to itself and co-purchases never exceed either basket count',
        validWhen:
          'product_id <> related_product_id and co_purchase_baskets >= 1 and co_purchase_baskets <= least(product_baskets, related_baskets) and lift > 0',
      }),
    ],
    materialize: ({ deps }) =>
      sql`with baskets as (
            select distinct customer_id, transaction_date::DATE as basket_date, product_id
            from ${deps.transactions}
            where customer_id is not null and product_id is not null),
          total as (select count(*) as n from (select distinct customer_id, basket_date from baskets)),
          per_product as (select product_id, count(*) as baskets from baskets group by product_id),
          pairs as (
            select a.product_id, b.product_id as related_product_id, count(*) as co
            from baskets a
            join baskets b
              on a.customer_id = b.customer_id and a.basket_date = b.basket_date and a.product_id <> b.product_id
            group by all),
          measured as (
            select p.product_id, p.related_product_id,
              p.co::BIGINT as co_purchase_baskets,
              pa.baskets::BIGINT as product_baskets,
              pb.baskets::BIGINT as related_baskets,
              total.n::BIGINT as total_baskets,
              p.co / total.n as support,
              p.co / pa.baskets as confidence,
              (p.co / pa.baskets) / (pb.baskets / total.n) as lift,
              p.co / (pa.baskets + pb.baskets - p.co) as jaccard
            from pairs p
            join per_product pa on pa.product_id = p.product_id
            join per_product pb on pb.product_id = p.related_product_id
            cross join total)
          select product_id,
            row_number() over (
              partition by product_id order by co_purchase_baskets desc, lift desc, related_product_id
            )::BIGINT as rank,
            * exclude (product_id)
          from measured
          qualify rank <= ${AFFINITY_TOP_N}
          order by product_id, rank`,
  });
}

/** Product affinity over `silver_transactions`. */
export const productAffinity = defineProductAffinity({ transactions: silverTransactions });
