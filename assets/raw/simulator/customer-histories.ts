import { ENGLISH, Faker } from './english-faker.js';
import { mersenneRandomizer } from './mersenne-randomizer.js';
import { RandomStream, SeededRandom, seedFrom } from './seeded-random.js';
import { PERIOD_DAYS, periodEndOf, periodOf, type SimulationCalendar } from './shopflow-calendar.js';
import { COUNTRIES } from './shopflow-vocabulary.js';
import type { ResolvedSimulationOptions } from './simulator-options.js';
import { formatIsoDate, SECONDS_PER_DAY } from './utc-time.js';

/** Pre-start customers registered within this many days before the start date. */
const PRE_START_DAYS = 730;
/** Share of customers whose profile changes at least once in a period. */
const CHANGE_SHARE = 0.06;
/** Share of those who change twice. */
const TWICE_SHARE = 0.45;
/** Share of second changes (in the registration period) that restore the value before the first. */
const REVERT_SHARE = 0.5;
/**
 * Customers whose text is kept for the next snapshot day, which names every customer again: at
 * most this many (about 140 bytes each), so memory stays bounded at any scale. Past it, texts are
 * derived again each time they are needed.
 */
const TEXT_CACHE_SIZE = 1_000_000;
/** Email addresses a customer alternates between. */
const EMAIL_VARIANTS = 3;

/** One version of a customer profile; `emailVariant` indexes {@link CustomerText.emails}. */
export interface CustomerVersion {
  /** Epoch seconds at which the version became current. */
  at: number;
  emailVariant: number;
  country: string;
}

/** Everything about a customer except its text, derived from `(seed, id)` alone. */
export interface CustomerHistory {
  id: number;
  registrationDate: string;
  versions: CustomerVersion[];
}

/** A customer's name and its possible email addresses, derived from `(seed, id)` with Faker. */
export interface CustomerText {
  name: string;
  emails: string[];
}

/** A change of an entity on a given day: version `version` (≥ 1) of entity `id`. */
export interface EntityChange {
  id: number;
  version: number;
}

/** Change indexes pack `(id, version)` into one number to stay compact at large scales. */
export const VERSIONS_PER_ID = 1024;

/** The changes packed in one day's index entry list. */
export function unpackChanges(packed: readonly number[]): EntityChange[] {
  return packed.map((value) => ({
    id: Math.floor(value / VERSIONS_PER_ID),
    version: value % VERSIONS_PER_ID,
  }));
}

/** The changes of one entity in one period. */
interface PeriodChanges<V> {
  versions: V[];
}

/**
 * The customers of a simulation. A history is a pure function of `(seed, id)` for the period the
 * customer registers in and of `(seed, id, period)` for each later one, recomputed when needed.
 * The change index (which profiles change on which day) is built period by period the first time
 * a day of the period is asked for, keeping per customer only its latest version; one number per
 * change is kept.
 *
 * @example
 * const customers = new CustomerHistories(options, calendar);
 * customers.changesOn(12); // [{ id: 301, version: 1 }, …]
 */
export class CustomerHistories {
  private readonly changesByDay: number[][] = [];
  /** Per id: index, email variant and country of its latest version in the periods indexed so far. */
  private readonly latest: Array<{ version: number; emailVariant: number; country: string }> = [];
  private indexedPeriods = 0;
  private readonly faker = new Faker({ locale: [ENGLISH], randomizer: mersenneRandomizer() });
  /** Name and emails per customer id, joined by newlines (one string: a third of the memory of an object). */
  private readonly texts = new Map<number, string>();

  constructor(
    private readonly options: ResolvedSimulationOptions,
    private readonly calendar: SimulationCalendar,
  ) {}

  /** The profile changes (versions after the first) that happen on `day`, by id. */
  changesOn(day: number): EntityChange[] {
    while (this.indexedPeriods <= periodOf(day)) this.indexPeriod(this.indexedPeriods++);
    return unpackChanges(this.changesByDay[day]);
  }

  /** The history of customer `id` up to the end of the period of day `throughDay`. */
  history(id: number, throughDay: number): CustomerHistory {
    const history = this.registration(id);
    const last = periodOf(throughDay);
    for (let period = periodOf(this.registrationDay(id)) + 1; period <= last; period++) {
      history.versions.push(...this.laterChanges(id, period, history.versions.at(-1)!).versions);
    }
    return history;
  }

  /**
   * The name and emails of customer `id` (one Faker reseed), remembered for the next snapshot day,
   * which names every customer again.
   */
  text(id: number): CustomerText {
    const known = this.texts.get(id);
    if (known !== undefined) {
      const end = known.indexOf('\n');
      return { name: known.slice(0, end), emails: known.slice(end + 1).split('\n') };
    }
    const text = this.fakeText(id);
    // NOTE: Faker's names and addresses never contain a newline, so the join can be split again.
    if (this.texts.size < TEXT_CACHE_SIZE) this.texts.set(id, [text.name, ...text.emails].join('\n'));
    return text;
  }

  private fakeText(id: number): CustomerText {
    const faker = this.faker;
    faker.seed(seedFrom(this.options.seed, RandomStream.customerText, id));
    const first = faker.person.firstName();
    const last = faker.person.lastName();
    const nickname = faker.person.firstName();
    const style = faker.number.int(99);
    // NOTE: a few names carry a comma or quotes on purpose, so CSV quoting is exercised downstream.
    const name =
      style < 2 ? `${last}, ${first}` : style < 3 ? `${first} "${nickname}" ${last}` : `${first} ${last}`;
    const emails: string[] = [];
    for (let k = 0; k < EMAIL_VARIANTS; k++) {
      let email = faker.internet.email({ firstName: first, lastName: last });
      if (emails.includes(email)) email = email.replace('@', `${k}@`);
      emails.push(email);
    }
    return { name, emails };
  }

  private indexPeriod(period: number): void {
    const firstDay = period * PERIOD_DAYS;
    for (let day = firstDay; day < firstDay + PERIOD_DAYS; day++) this.changesByDay[day] = [];
    const record = (id: number, version: number, at: number) => {
      const day = Math.floor((at - this.options.startEpochSeconds) / SECONDS_PER_DAY);
      this.changesByDay[day].push(id * VERSIONS_PER_ID + version);
    };
    const before = period === 0 ? 0 : this.calendar.customersBefore(firstDay);
    for (let id = 1; id <= before; id++) {
      const latest = this.latest[id];
      const { versions } = this.laterChanges(id, period, {
        at: 0,
        emailVariant: latest.emailVariant,
        country: latest.country,
      });
      for (const version of versions) {
        latest.version += 1;
        record(id, latest.version, version.at);
        latest.emailVariant = version.emailVariant;
        latest.country = version.country;
      }
    }
    const after = this.calendar.customersBefore(firstDay + PERIOD_DAYS);
    for (let id = before + 1; id <= after; id++) {
      const { versions } = this.registration(id);
      for (let version = 1; version < versions.length; version++) record(id, version, versions[version].at);
      const last = versions[versions.length - 1];
      this.latest[id] = {
        version: versions.length - 1,
        emailVariant: last.emailVariant,
        country: last.country,
      };
    }
  }

  private registrationDay(id: number): number {
    return id <= this.calendar.preStartCustomers ? 0 : this.calendar.customerDay(id);
  }

  /** First version and the changes in the registration period, from `(seed, id)`. */
  private registration(id: number): CustomerHistory {
    const { startEpochSeconds } = this.options;
    const random = new SeededRandom(this.options.seed, RandomStream.customer, id);
    const pre = this.calendar.preStartCustomers;
    let registrationDay: number;
    let firstAt: number;
    if (id <= pre) {
      registrationDay = Math.floor((PRE_START_DAYS * (id - 1 + random.float())) / pre) - PRE_START_DAYS;
      firstAt = startEpochSeconds;
    } else {
      registrationDay = this.calendar.customerDay(id);
      firstAt = startEpochSeconds + registrationDay * SECONDS_PER_DAY + random.int(1, SECONDS_PER_DAY - 1);
    }
    const registrationDate = formatIsoDate(startEpochSeconds + registrationDay * SECONDS_PER_DAY);
    const versions: CustomerVersion[] = [
      { at: firstAt, emailVariant: 0, country: random.weighted(COUNTRIES) },
    ];

    const periodEnd = periodEndOf(Math.max(registrationDay, 0));
    const wanted = random.chance(CHANGE_SHARE) ? (random.chance(TWICE_SHARE) ? 2 : 1) : 0;
    const firstDay = Math.max(registrationDay + 1, 1);
    const changes = Math.min(wanted, Math.max(0, periodEnd - firstDay));
    let previousDay = firstDay - 1;
    let firstField: 'email' | 'country' = 'email';
    for (let n = 0; n < changes; n++) {
      const day = random.int(previousDay + 1, periodEnd - changes + n);
      previousDay = day;
      const at = startEpochSeconds + day * SECONDS_PER_DAY + random.int(1, SECONDS_PER_DAY - 1);
      const current = versions[versions.length - 1];
      const next: CustomerVersion = { ...current, at };
      if (n === 1 && random.chance(REVERT_SHARE)) {
        if (firstField === 'email') next.emailVariant = versions[0].emailVariant;
        else next.country = versions[0].country;
      } else {
        const field = random.chance(0.65) ? 'email' : 'country';
        if (n === 0) firstField = field;
        if (field === 'email') next.emailVariant = n + 1;
        else next.country = differentCountry(random, current.country);
      }
      versions.push(next);
    }
    return { id, registrationDate, versions };
  }

  /** The profile changes of an already registered customer in `period`, from `(seed, id, period)`. */
  private laterChanges(id: number, period: number, current: CustomerVersion): PeriodChanges<CustomerVersion> {
    const random = new SeededRandom(this.options.seed, RandomStream.customerPeriod, id, period);
    const changes = random.chance(CHANGE_SHARE) ? (random.chance(TWICE_SHARE) ? 2 : 1) : 0;
    const periodStart = period * PERIOD_DAYS;
    const versions: CustomerVersion[] = [];
    let previousDay = periodStart - 1;
    let latest = current;
    for (let n = 0; n < changes; n++) {
      const day = random.int(previousDay + 1, periodStart + PERIOD_DAYS - changes + n);
      previousDay = day;
      const at = this.options.startEpochSeconds + day * SECONDS_PER_DAY + random.int(1, SECONDS_PER_DAY - 1);
      const next: CustomerVersion = { ...latest, at };
      if (random.chance(0.65)) {
        next.emailVariant = (latest.emailVariant + random.int(1, EMAIL_VARIANTS - 1)) % EMAIL_VARIANTS;
      } else {
        next.country = differentCountry(random, latest.country);
      }
      versions.push(next);
      latest = next;
    }
    return { versions };
  }
}

function differentCountry(random: SeededRandom, current: string): string {
  for (;;) {
    const country = random.weighted(COUNTRIES);
    if (country !== current) return country;
  }
}
