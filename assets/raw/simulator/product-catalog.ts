import { type EntityChange, unpackChanges, VERSIONS_PER_ID } from './customer-histories.js';
import { ENGLISH, Faker } from './english-faker.js';
import { mersenneRandomizer } from './mersenne-randomizer.js';
import { RandomStream, SeededRandom, seedFrom, WeightedTable } from './seeded-random.js';
import { PERIOD_DAYS, periodEndOf, periodOf, type SimulationCalendar } from './shopflow-calendar.js';
import { CATEGORIES, type CategorySpec } from './shopflow-vocabulary.js';
import type { ResolvedSimulationOptions } from './simulator-options.js';
import { SECONDS_PER_DAY } from './utc-time.js';

/** Share of products whose price changes in a period (some of them twice). */
const PRICE_CHANGE_SHARE = 0.2;
/** Share of products moved to another category in a period. */
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

/** The prices of one period: at its start (or creation) and every change within it. */
interface PeriodPrices {
  startPrice: Int32Array;
  /** Changes of product `id` in the period are `changeAt/changePrice[changeStart[id] .. changeStart[id + 1])`. */
  changeStart: Int32Array;
  changeAt: Float64Array;
  changePrice: Int32Array;
}

/**
 * The products of a simulation. A history is a pure function of `(seed, id)` for the period the
 * product appears in and of `(seed, id, period)` for each later one, recomputed when needed. The
 * change index and the price index (flat typed arrays, a few bytes per product) are built period by
 * period the first time a day of the period is asked for.
 *
 * @example
 * const products = new ProductCatalog(options, calendar);
 * products.priceCentsAt(12, Date.parse('2024-02-01T10:00:00Z') / 1000); // 2499
 */
export class ProductCatalog {
  private readonly changesByDay: number[][] = [];
  private readonly prices: PeriodPrices[] = [];
  /** Per id: index, price and category of its latest version in the periods indexed so far. */
  private readonly latest: Array<{ version: number; priceCents: number; category: CategorySpec }> = [];
  private readonly faker = new Faker({ locale: [ENGLISH], randomizer: mersenneRandomizer() });

  constructor(
    private readonly options: ResolvedSimulationOptions,
    private readonly calendar: SimulationCalendar,
  ) {}

  /** The price and category changes (versions after the first) that happen on `day`, by id. */
  changesOn(day: number): EntityChange[] {
    this.ensure(periodOf(day));
    return unpackChanges(this.changesByDay[day]);
  }

  /** The history of product `id` up to the end of the period of day `throughDay`. */
  history(id: number, throughDay: number): ProductHistory {
    const history = this.creation(id);
    const last = periodOf(throughDay);
    for (let period = periodOf(this.createdDay(id)) + 1; period <= last; period++) {
      history.versions.push(...this.laterChanges(id, period, history.versions.at(-1)!));
    }
    return history;
  }

  /** The price in cents of product `id` valid at `epochSeconds` (the last version at or before it). */
  priceCentsAt(id: number, epochSeconds: number): number {
    const day = Math.floor((epochSeconds - this.options.startEpochSeconds) / SECONDS_PER_DAY);
    const period = periodOf(day);
    this.ensure(period);
    const prices = this.prices[period];
    let price = prices.startPrice[id];
    for (let k = prices.changeStart[id]; k < prices.changeStart[id + 1]; k++) {
      if (prices.changeAt[k] > epochSeconds) break;
      price = prices.changePrice[k];
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

  private ensure(period: number): void {
    while (this.prices.length <= period) this.indexPeriod(this.prices.length);
  }

  private indexPeriod(period: number): void {
    const firstDay = period * PERIOD_DAYS;
    for (let day = firstDay; day < firstDay + PERIOD_DAYS; day++) this.changesByDay[day] = [];
    const before = period === 0 ? 0 : this.calendar.productsBefore(firstDay);
    const after = this.calendar.productsBefore(firstDay + PERIOD_DAYS);
    const startPrice = new Int32Array(after + 1);
    const changeStart = new Int32Array(after + 2);
    const changeAt: number[] = [];
    const changePrice: number[] = [];
    const record = (id: number, version: number, change: ProductVersion) => {
      const day = Math.floor((change.at - this.options.startEpochSeconds) / SECONDS_PER_DAY);
      this.changesByDay[day].push(id * VERSIONS_PER_ID + version);
      changeAt.push(change.at);
      changePrice.push(change.priceCents);
    };
    for (let id = 1; id <= after; id++) {
      changeStart[id] = changeAt.length;
      if (id <= before) {
        const latest = this.latest[id];
        startPrice[id] = latest.priceCents;
        const current = { at: 0, priceCents: latest.priceCents, category: latest.category };
        for (const change of this.laterChanges(id, period, current)) {
          latest.version += 1;
          record(id, latest.version, change);
          latest.priceCents = change.priceCents;
          latest.category = change.category;
        }
      } else {
        const { versions } = this.creation(id);
        startPrice[id] = versions[0].priceCents;
        for (let version = 1; version < versions.length; version++) record(id, version, versions[version]);
        const last = versions[versions.length - 1];
        this.latest[id] = {
          version: versions.length - 1,
          priceCents: last.priceCents,
          category: last.category,
        };
      }
    }
    changeStart[after + 1] = changeAt.length;
    this.prices.push({
      startPrice,
      changeStart,
      changeAt: Float64Array.from(changeAt),
      changePrice: Int32Array.from(changePrice),
    });
  }

  private createdDay(id: number): number {
    return id <= this.calendar.initialProducts ? 0 : this.calendar.productDay(id);
  }

  /** First version and the changes in the period the product appears in, from `(seed, id)`. */
  private creation(id: number): ProductHistory {
    const { startEpochSeconds } = this.options;
    const random = new SeededRandom(this.options.seed, RandomStream.product, id);
    const initial = id <= this.calendar.initialProducts;
    const createdDay = this.createdDay(id);
    const firstAt = initial
      ? startEpochSeconds
      : startEpochSeconds + createdDay * SECONDS_PER_DAY + random.int(1, SECONDS_PER_DAY - 1);
    const category = random.weighted(CATEGORIES);
    const versions: ProductVersion[] = [
      { at: firstAt, priceCents: firstPriceCents(random, category), category },
    ];
    const periodEnd = periodEndOf(createdDay);
    const priceChanges = random.chance(PRICE_CHANGE_SHARE) ? (random.chance(0.3) ? 2 : 1) : 0;
    const categoryChanges = random.chance(CATEGORY_CHANGE_SHARE) ? 1 : 0;
    const firstDay = Math.max(createdDay + 1, 1);
    if (firstDay > periodEnd - 1) return { id, versions };
    versions.push(
      ...this.changesBetween(random, firstDay, periodEnd, priceChanges, categoryChanges, versions[0]),
    );
    return { id, versions };
  }

  /** The price and category changes of an existing product in `period`, from `(seed, id, period)`. */
  private laterChanges(id: number, period: number, current: ProductVersion): ProductVersion[] {
    const random = new SeededRandom(this.options.seed, RandomStream.productPeriod, id, period);
    const priceChanges = random.chance(PRICE_CHANGE_SHARE) ? (random.chance(0.3) ? 2 : 1) : 0;
    const categoryChanges = random.chance(CATEGORY_CHANGE_SHARE) ? 1 : 0;
    const first = period * PERIOD_DAYS;
    return this.changesBetween(random, first, first + PERIOD_DAYS, priceChanges, categoryChanges, current);
  }

  /** Changes on days `[firstDay, endDay)`, each a new version of the one before. */
  private changesBetween(
    random: SeededRandom,
    firstDay: number,
    endDay: number,
    priceChanges: number,
    categoryChanges: number,
    from: ProductVersion,
  ): ProductVersion[] {
    const { startEpochSeconds } = this.options;
    const changes: Array<{ at: number; kind: 'price' | 'category' }> = [];
    for (let n = 0; n < priceChanges + categoryChanges; n++) {
      const at =
        startEpochSeconds +
        random.int(firstDay, endDay - 1) * SECONDS_PER_DAY +
        random.int(1, SECONDS_PER_DAY - 1);
      if (changes.some((change) => change.at === at)) continue;
      changes.push({ at, kind: n < priceChanges ? 'price' : 'category' });
    }
    changes.sort((a, b) => a.at - b.at);
    const versions: ProductVersion[] = [];
    let current = from;
    for (const change of changes) {
      current =
        change.kind === 'price'
          ? { ...current, at: change.at, priceCents: changedPriceCents(random, current.priceCents) }
          : { ...current, at: change.at, category: differentCategory(random, current.category) };
      versions.push(current);
    }
    return versions;
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
