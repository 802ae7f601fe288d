import type { SeededRandom } from './seeded-random.js';

const STRIDES = [7_919, 104_729, 1_299_709, 15_485_863];

/**
 * A customer id in `1..count`: half the draws favour long-standing customers (low ids), so some
 * customers buy far more often than others.
 */
export function pickCustomerId(random: SeededRandom, count: number): number {
  const u = random.float();
  const skewed = random.chance(0.5);
  return 1 + Math.floor(count * (skewed ? u * u : u));
}

/**
 * A product id in `1..count` with a long-tail popularity. The popularity rank is scattered over the
 * ids by a fixed stride so best sellers are not simply the oldest products.
 */
export function pickProductId(random: SeededRandom, count: number): number {
  const u = random.float();
  const skewed = random.chance(0.6);
  const rank = Math.floor(count * (skewed ? u * u : u));
  const stride = STRIDES.find((prime) => count % prime !== 0) ?? 1;
  return 1 + ((rank * stride) % count);
}
