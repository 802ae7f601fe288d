import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { defineProductAffinity } from '../../../assets/gold/product-affinity.js';
import {
  defineAsset,
  defineDefinitions,
  type JsonRow,
  type ShopflowRuntime,
} from '../../../framework/index.js';
import { openTestRuntime, tempHome } from '../../support/example-runtime.js';

// Baskets (customer, day) → distinct products:
//   c1 d1 {1,2,3}   c1 d2 {1,2}   c2 d1 {1,2} (2 bought twice)   c2 d2 {3}   c3 d1 {2,3}
//   c4 d1 {4}       c5 d1 {5,6,7} c6 d1 {6}   c7 d1 {10, 11…21}
// N = 9 baskets; baskets(1) = 3, baskets(2) = 4, baskets(3) = 3, baskets(5) = 1, baskets(6) = 2,
// baskets(7) = 1, baskets(10…21) = 1.
const D1 = '2024-02-01';
const D2 = '2024-02-02';
const lines: Array<[number, string, number]> = [
  [1, D1, 1],
  [1, D1, 2],
  [1, D1, 3],
  [1, D2, 1],
  [1, D2, 2],
  [2, D1, 1],
  [2, D1, 2],
  [2, D1, 2],
  [2, D2, 3],
  [3, D1, 2],
  [3, D1, 3],
  [4, D1, 4],
  [5, D1, 5],
  [5, D1, 6],
  [5, D1, 7],
  [6, D1, 6],
  [7, D1, 10],
  ...Array.from({ length: 11 }, (_, i): [number, string, number] => [7, D1, 11 + i]),
];

const craftedTransactions = defineAsset({
  key: 'crafted_transactions',
  description: 'Single-product transaction lines crafted for the affinity test.',
  schema: z.object({ customer_id: z.int(), product_id: z.int(), transaction_date: z.iso.date() }),
  materialize: () =>
    lines.map(([customer_id, transaction_date, product_id]) => ({
      customer_id,
      product_id,
      transaction_date,
    })),
});
const affinity = defineProductAffinity({ transactions: craftedTransactions });

let home: ReturnType<typeof tempHome>;
let runtime: ShopflowRuntime;
let result: JsonRow[];

beforeAll(async () => {
  home = tempHome('shopflow-affinity-');
  runtime = await openTestRuntime(defineDefinitions({ assets: [craftedTransactions, affinity] }), home.home);
  const run = await runtime.execute(await runtime.plan());
  if (run.status !== 'success') throw new Error(`run failed: ${run.error}`);
  const session = await runtime.engine.session();
  try {
    result = await session.query(
      `select * from read_parquet('${join(runtime.lakeRoot, 'product_affinity', 'data.parquet')}') order by product_id, rank`,
    );
  } finally {
    session.close();
  }
});

afterAll(async () => {
  await runtime?.close();
  home?.cleanup();
});

const N = 9;

function row(
  productId: number,
  rank: number,
  relatedId: number,
  co: number,
  productBaskets: number,
  relatedBaskets: number,
) {
  return {
    product_id: String(productId),
    rank: String(rank),
    related_product_id: String(relatedId),
    co_purchase_baskets: String(co),
    product_baskets: String(productBaskets),
    related_baskets: String(relatedBaskets),
    total_baskets: String(N),
    support: co / N,
    confidence: co / productBaskets,
    lift: co / productBaskets / (relatedBaskets / N),
    jaccard: co / (productBaskets + relatedBaskets - co),
  };
}

describe('product_affinity on a crafted basket set', () => {
  test('co-purchase counts, support, confidence, lift and Jaccard are exact', () => {
    const of = (id: number) => result.filter((r) => r.product_id === String(id));
    expect(of(1)).toEqual([row(1, 1, 2, 3, 3, 4), row(1, 2, 3, 1, 3, 3)]);
    expect(of(2)).toEqual([row(2, 1, 1, 3, 4, 3), row(2, 2, 3, 2, 4, 3)]);
    expect(of(3)).toEqual([row(3, 1, 2, 2, 3, 4), row(3, 2, 1, 1, 3, 3)]);
    // Spot values written out, so the formulas above cannot hide a shared mistake.
    const spot = (r: JsonRow) =>
      [r.confidence, r.lift, r.jaccard].map((v) => Number((v as number).toFixed(12)));
    expect(spot(of(1)[0])).toEqual([1, 2.25, 0.75]);
    expect(spot(of(2)[1])).toEqual([0.5, 1.5, 0.4]);
    expect(spot(of(5)[0])).toEqual([1, 9, 1]);
  });

  test('a product bought alone has no related products', () => {
    expect(result.filter((r) => r.product_id === '4' || r.related_product_id === '4')).toEqual([]);
  });

  test('equal co-purchase counts rank by lift, then by related product id', () => {
    const ranked = (id: number) =>
      result.filter((r) => r.product_id === String(id)).map((r) => Number(r.related_product_id));
    expect(ranked(5)).toEqual([7, 6]); // lift 9 beats lift 4.5 although 6 < 7
    expect(ranked(6)).toEqual([5, 7]); // equal lift: by id
    expect(ranked(7)).toEqual([5, 6]);
  });

  test('only the top 10 related products are kept', () => {
    const of10 = result.filter((r) => r.product_id === '10');
    expect(of10.map((r) => Number(r.rank))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(of10.map((r) => Number(r.related_product_id))).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    expect(result.filter((r) => r.product_id === '21').map((r) => Number(r.related_product_id))).toEqual([
      10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
    ]);
  });

  test('the checks of the asset passed', async () => {
    const evaluations = await runtime.store.listCheckEvaluations({
      assetKey: 'product_affinity',
      limit: 100,
    });
    expect(evaluations.length).toBe(affinity.checks.length);
    expect(evaluations.filter((e) => !e.passed)).toEqual([]);
  });
});
