/**
 * Named random streams. Every random draw of the simulator comes from a {@link SeededRandom} keyed by
 * `(seed, stream, ...coordinates)`, so any day, hour or entity can be regenerated on its own.
 */
export const RandomStream = {
  calendar: 1,
  customer: 2,
  customerText: 3,
  product: 4,
  productText: 5,
  transactionHours: 6,
  transactions: 7,
  clickstream: 8,
  defect: 9,
  defectVariant: 10,
  customerPeriod: 11,
  productPeriod: 12,
} as const;

const TWO_POW_32 = 4_294_967_296;

function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A 32-bit hash of integer coordinates (each any safe integer), stable across runs and machines.
 *
 * @example
 * seedFrom(42, RandomStream.transactions, 17, 9); // the seed of day 17, hour 9
 */
export function seedFrom(...parts: readonly number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h = mix32(h ^ (part >>> 0)) + 0x6d2b79f5;
    h = mix32(h ^ (Math.floor(part / TWO_POW_32) >>> 0));
  }
  return h >>> 0;
}

/** A uniform float in [0, 1) from integer coordinates, without keeping any state. */
export function hashFloat(...parts: readonly number[]): number {
  return seedFrom(...parts) / TWO_POW_32;
}

/**
 * A small, fast, seedable generator (sfc32) for the simulator's numeric draws. Faker is used only
 * for text; it is far slower to reseed.
 *
 * @example
 * const random = new SeededRandom(42, RandomStream.customer, 7);
 * random.int(1, 6); // the same number on every run
 */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(...key: readonly number[]) {
    const base = seedFrom(...key);
    this.a = mix32(base ^ 0x243f6a88);
    this.b = mix32(base ^ 0x85a308d3);
    this.c = mix32(base ^ 0x13198a2e);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** The next 32-bit unsigned integer. */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  float(): number {
    return this.uint32() / TWO_POW_32;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** One element of a non-empty list, uniformly. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)];
  }

  /** One value of a weighted table. */
  weighted<T>(table: WeightedTable<T>): T {
    return table.at(this.float());
  }
}

/**
 * Values with relative weights, sampled by a uniform float.
 *
 * @example
 * const coins = new WeightedTable([['heads', 1], ['tails', 1]]);
 * coins.at(0.7); // 'tails'
 */
export class WeightedTable<T> {
  readonly values: readonly T[];
  private readonly cumulative: Float64Array;

  constructor(entries: ReadonlyArray<readonly [T, number]>) {
    this.values = entries.map(([value]) => value);
    this.cumulative = new Float64Array(entries.length);
    const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
    let running = 0;
    entries.forEach(([, weight], i) => {
      running += weight / total;
      this.cumulative[i] = running;
    });
  }

  /** The value whose cumulative-weight slot contains `u` (a float in [0, 1)). */
  at(u: number): T {
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (u < this.cumulative[mid]) hi = mid;
      else lo = mid + 1;
    }
    return this.values[lo];
  }
}
