import { en, Faker } from '@faker-js/faker';
import { RandomStream, SeededRandom, seedFrom } from './seeded-random.js';
import { dayOfId, type ShopflowCalendar } from './shopflow-calendar.js';
import { COUNTRIES } from './shopflow-vocabulary.js';
import type { ResolvedSimulationOptions } from './simulator-options.js';
import { formatIsoDate, SECONDS_PER_DAY } from './utc-time.js';

/** Pre-start customers registered within this many days before the start date. */
const PRE_START_DAYS = 730;
/** Share of customers whose profile changes at least once during the simulated range. */
const CHANGE_SHARE = 0.06;
/** Share of those who change twice. */
const TWICE_SHARE = 0.45;
/** Share of second changes that restore the value before the first change. */
const REVERT_SHARE = 0.5;

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

/** Change indexes pack `(id, version)` into one small number to stay compact at large scales. */
export const VERSIONS_PER_ID = 8;

/** The changes packed in one day's index entry list. */
export function unpackChanges(packed: readonly number[]): EntityChange[] {
  return packed.map((value) => ({
    id: Math.floor(value / VERSIONS_PER_ID),
    version: value % VERSIONS_PER_ID,
  }));
}

/**
 * The customers of a simulation. Histories are pure functions of `(seed, id)`, recomputed when
 * needed; the constructor scans every id once (cheap numeric draws, no Faker) to index the days on
 * which profiles change, keeping one number per change.
 *
 * @example
 * const customers = new CustomerHistories(options, calendar);
 * customers.changesOn(12); // [{ id: 301, version: 1 }, …]
 */
export class CustomerHistories {
  private readonly changesByDay: number[][];
  private readonly faker = new Faker({ locale: [en] });

  constructor(
    private readonly options: ResolvedSimulationOptions,
    private readonly calendar: ShopflowCalendar,
  ) {
    this.changesByDay = Array.from({ length: options.days }, () => []);
    for (let id = 1; id <= calendar.customers; id++) {
      const history = this.computeHistory(id);
      for (let version = 1; version < history.versions.length; version++) {
        const day = Math.floor((history.versions[version].at - options.startEpochSeconds) / SECONDS_PER_DAY);
        this.changesByDay[day].push(id * VERSIONS_PER_ID + version);
      }
    }
  }

  /** The profile changes (versions after the first) that happen on `day`, by id. */
  changesOn(day: number): EntityChange[] {
    return unpackChanges(this.changesByDay[day]);
  }

  /** The history of customer `id`. */
  history(id: number): CustomerHistory {
    return this.computeHistory(id);
  }

  /** The name and emails of customer `id` (one Faker reseed). */
  text(id: number): CustomerText {
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
    for (let k = 0; k < 3; k++) {
      let email = faker.internet.email({ firstName: first, lastName: last });
      if (emails.includes(email)) email = email.replace('@', `${k}@`);
      emails.push(email);
    }
    return { name, emails };
  }

  private computeHistory(id: number): CustomerHistory {
    const { startEpochSeconds, days } = this.options;
    const random = new SeededRandom(this.options.seed, RandomStream.customer, id);
    const pre = this.calendar.preStartCustomers;
    let registrationDay: number;
    let firstAt: number;
    if (id <= pre) {
      registrationDay = Math.floor((PRE_START_DAYS * (id - 1 + random.float())) / pre) - PRE_START_DAYS;
      firstAt = startEpochSeconds;
    } else {
      registrationDay = dayOfId(this.calendar.customersBefore, id);
      firstAt = startEpochSeconds + registrationDay * SECONDS_PER_DAY + random.int(1, SECONDS_PER_DAY - 1);
    }
    const registrationDate = formatIsoDate(startEpochSeconds + registrationDay * SECONDS_PER_DAY);
    const versions: CustomerVersion[] = [
      { at: firstAt, emailVariant: 0, country: random.weighted(COUNTRIES) },
    ];

    const wanted = random.chance(CHANGE_SHARE) ? (random.chance(TWICE_SHARE) ? 2 : 1) : 0;
    const firstDay = Math.max(registrationDay + 1, 1);
    const changes = Math.min(wanted, Math.max(0, days - firstDay));
    let previousDay = firstDay - 1;
    let firstField: 'email' | 'country' = 'email';
    for (let n = 0; n < changes; n++) {
      const day = random.int(previousDay + 1, days - changes + n);
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
}

function differentCountry(random: SeededRandom, current: string): string {
  for (;;) {
    const country = random.weighted(COUNTRIES);
    if (country !== current) return country;
  }
}
