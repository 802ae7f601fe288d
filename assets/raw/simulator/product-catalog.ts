import { en, Faker } from '@faker-js/faker';
import { type EntityChange, unpackChanges, VERSIONS_PER_ID } from './customer-histories.js';
import { RandomStream, SeededRandom, seedFrom, WeightedTable } from './seeded-random.js';
import { dayOfId, type ShopflowCalendar } from './shopflow-calendar.js';
import { CATEGORIES, type CategorySpec } from './shopflow-vocabulary.js';
import type { ResolvedSimulationOptions } from './simulator-options.js';
import { SECONDS_PER_DAY } from './utc-time.js';

/** Share of products whose price changes during the range (some of them twice). */
const PRICE_CHANGE_SHARE = 0.2;
/** Share of products moved to another category during the range. */
const CATEGORY_CHANGE_SHARE = 0.05;

/** One version of a product. */
export interface ProductVersion {
  /** Epoch seconds at which the version became current. */
  at: number;
  priceCents: number;
  category: CategorySpec;
}

/** Everything about a product except its text, derived from `(seed, id)` alone. */
export interface ProductHistory {
  id: number;
  versions: ProductVersion[];
}

/** A product's name and supplier, derived from `(seed, id)` with Faker. */
export interface ProductText {
  name: string;
  supplier: string;
}

/**
 * The products of a simulation. Histories are pure functions of `(seed, id)`, recomputed when
 * needed; the constructor scans every id once to index change days and to keep every price version
 * in flat typed arrays for the price lookups of transactions (a few bytes per product).
 *
 * @example
 * const products = new ProductCatalog(options, calendar);
 * products.priceCentsAt(12, Date.parse('2024-02-01T10:00:00Z') / 1000); // 2499
 */
export class ProductCatalog {
  private readonly firstPrice: Int32Array;
  /** Price versions after the first of product `id` are `changeAt/changePrice[changeStart[id] .. changeStart[id + 1])`. */
  private readonly changeStart: Int32Array;
  private readonly changeAt: Float64Array;
  private readonly changePrice: Int32Array;
  private readonly changesByDay: number[][];
  private readonly faker = new Faker({ locale: [en] });

  constructor(
    private readonly options: ResolvedSimulationOptions,
    private readonly calendar: ShopflowCalendar,
  ) {
    this.firstPrice = new Int32Array(calendar.products + 1);
    this.changeStart = new Int32Array(calendar.products + 2);
    this.changesByDay = Array.from({ length: options.days }, () => []);
    const changeAt: number[] = [];
    const changePrice: number[] = [];
    for (let id = 1; id <= calendar.products; id++) {
      const { versions } = this.computeHistory(id);
      this.firstPrice[id] = versions[0].priceCents;
      this.changeStart[id] = changeAt.length;
      for (let version = 1; version < versions.length; version++) {
        const day = Math.floor((versions[version].at - options.startEpochSeconds) / SECONDS_PER_DAY);
        this.changesByDay[day].push(id * VERSIONS_PER_ID + version);
        changeAt.push(versions[version].at);
        changePrice.push(versions[version].priceCents);
      }
    }
    this.changeStart[calendar.products + 1] = changeAt.length;
    this.changeAt = Float64Array.from(changeAt);
    this.changePrice = Int32Array.from(changePrice);
  }

  /** The price and category changes (versions after the first) that happen on `day`, by id. */
  changesOn(day: number): EntityChange[] {
    return unpackChanges(this.changesByDay[day]);
  }

  /** The history of product `id`. */
  history(id: number): ProductHistory {
    return this.computeHistory(id);
  }

  /** The price in cents of product `id` valid at `epochSeconds` (the last version at or before it). */
  priceCentsAt(id: number, epochSeconds: number): number {
    let price = this.firstPrice[id];
    for (let k = this.changeStart[id]; k < this.changeStart[id + 1]; k++) {
      if (this.changeAt[k] > epochSeconds) break;
      price = this.changePrice[k];
    }
    return price;
  }

  /** The name and supplier of product `id` (one Faker reseed). */
  text(id: number): ProductText {
    const faker = this.faker;
    faker.seed(seedFrom(this.options.seed, RandomStream.productText, id));
    const base = faker.commerce.productName();
    const style = faker.number.int(99);
    const pack = faker.number.int({ min: 2, max: 12 });
    // NOTE: a few names carry a comma or quotes on purpose, so CSV quoting is exercised downstream.
    const name = style < 3 ? `${base}, ${pack}-pack` : style < 4 ? `${base} "Limited Edition"` : base;
    return { name, supplier: faker.company.name() };
  }

  private computeHistory(id: number): ProductHistory {
    const { startEpochSeconds, days } = this.options;
    const random = new SeededRandom(this.options.seed, RandomStream.product, id);
    const initial = id <= this.calendar.initialProducts;
    const createdDay = initial ? 0 : dayOfId(this.calendar.productsBefore, id);
    const firstAt = initial
      ? startEpochSeconds
      : startEpochSeconds + createdDay * SECONDS_PER_DAY + random.int(1, SECONDS_PER_DAY - 1);
    const category = random.weighted(CATEGORIES);
    const versions: ProductVersion[] = [
      { at: firstAt, priceCents: firstPriceCents(random, category), category },
    ];

    const priceChanges = random.chance(PRICE_CHANGE_SHARE) ? (random.chance(0.3) ? 2 : 1) : 0;
    const categoryChanges = random.chance(CATEGORY_CHANGE_SHARE) ? 1 : 0;
    const firstDay = Math.max(createdDay + 1, 1);
    if (firstDay > days - 1) return { id, versions };
    const changes: Array<{ at: number; kind: 'price' | 'category' }> = [];
    for (let n = 0; n < priceChanges + categoryChanges; n++) {
      const at =
        startEpochSeconds +
        random.int(firstDay, days - 1) * SECONDS_PER_DAY +
        random.int(1, SECONDS_PER_DAY - 1);
      if (changes.some((change) => change.at === at)) continue;
      changes.push({ at, kind: n < priceChanges ? 'price' : 'category' });
    }
    changes.sort((a, b) => a.at - b.at);
    for (const change of changes) {
      const current = versions[versions.length - 1];
      versions.push(
        change.kind === 'price'
          ? { ...current, at: change.at, priceCents: changedPriceCents(random, current.priceCents) }
          : { ...current, at: change.at, category: differentCategory(random, current.category) },
      );
    }
    return { id, versions };
  }
}

function firstPriceCents(random: SeededRandom, category: CategorySpec): number {
  const logMin = Math.log(category.minCents);
  const logMax = Math.log(category.maxCents);
  const raw = Math.exp(logMin + random.float() * (logMax - logMin));
  return withEnding(random, raw);
}

function withEnding(random: SeededRandom, rawCents: number): number {
  const ending = random.weighted(PRICE_ENDINGS);
  return Math.max(99, Math.floor(rawCents / 100) * 100 + ending);
}

const PRICE_ENDINGS = new WeightedTable<number>([
  [99, 70],
  [49, 20],
  [0, 10],
]);

function changedPriceCents(random: SeededRandom, current: number): number {
  for (;;) {
    const factor = random.chance(0.6) ? 0.7 + 0.28 * random.float() : 1.03 + 0.27 * random.float();
    const next = withEnding(random, current * factor);
    if (next !== current) return next;
  }
}

function differentCategory(random: SeededRandom, current: CategorySpec): CategorySpec {
  for (;;) {
    const category = random.weighted(CATEGORIES);
    if (category !== current) return category;
  }
}
