import type { CustomerHistory, EntityChange } from './customer-histories.js';
import { drawDefect, malformDate, malformEmail } from './defect-injection.js';
import type { EmittedRow } from './emitted-row.js';
import type { CustomerRow } from './raw-file-formats.js';
import { isSnapshotDay } from './shopflow-calendar.js';
import type { ShopflowWorld } from './shopflow-world.js';
import { formatIsoSeconds } from './utc-time.js';

const FILE = 'customers.csv';

/**
 * The `customers.csv` rows whose `updated_at` falls on `day`, in file order: on a snapshot day
 * (day 0, and every 30 days from day 90: `isSnapshotDay`) first every customer registered before
 * its midnight, by id, in the version current then (on day 0 these are the customers registered
 * before the start); then new registrations and profile changes of the day, by `updated_at`, then id.
 * A snapshot repeats versions delivered before, byte for byte.
 *
 * @example
 * for (const { row, defect } of customerRowsOfDay(world, 3)) console.log(row.customer_id, defect?.kind);
 */
export function* customerRowsOfDay(world: ShopflowWorld, day: number): Generator<EmittedRow<CustomerRow>> {
  const { calendar, customers } = world;
  if (isSnapshotDay(day)) {
    const midnight = world.dayStart(day);
    for (let id = 1; id <= calendar.customersBefore(day); id++) {
      const history = customers.history(id, day);
      let version = 0;
      while (version + 1 < history.versions.length && history.versions[version + 1].at <= midnight) version++;
      yield* customerRows(world, history, version);
    }
  }
  const entries: Array<EntityChange & { at: number; history: CustomerHistory }> = [];
  for (let id = calendar.customersBefore(day) + 1; id <= calendar.customersBefore(day + 1); id++) {
    const history = customers.history(id, day);
    entries.push({ id, version: 0, at: history.versions[0].at, history });
  }
  for (const change of customers.changesOn(day)) {
    const history = customers.history(change.id, day);
    entries.push({ ...change, at: history.versions[change.version].at, history });
  }
  entries.sort((a, b) => a.at - b.at || a.id - b.id);
  for (const entry of entries) yield* customerRows(world, entry.history, entry.version);
}

function* customerRows(
  world: ShopflowWorld,
  history: CustomerHistory,
  version: number,
): Generator<EmittedRow<CustomerRow>> {
  const { id } = history;
  const text = world.customers.text(id);
  const current = history.versions[version];
  const row: CustomerRow = {
    customer_id: id,
    name: text.name,
    email: text.emails[current.emailVariant],
    registration_date: history.registrationDate,
    country: current.country,
    updated_at: formatIsoSeconds(current.at),
  };
  const draw = drawDefect(world.options, FILE, id, version);
  if (!draw) {
    yield { row };
    return;
  }
  switch (draw.kind) {
    case 'null_email':
      yield { row: { ...row, email: null }, defect: { file: FILE, id, kind: draw.kind, column: 'email' } };
      return;
    case 'malformed_email':
      yield {
        row: { ...row, email: malformEmail(row.email!, draw.variant) },
        defect: { file: FILE, id, kind: draw.kind, column: 'email' },
      };
      return;
    case 'malformed_date':
      yield {
        row: { ...row, registration_date: malformDate(row.registration_date, draw.variant) },
        defect: { file: FILE, id, kind: draw.kind, column: 'registration_date' },
      };
      return;
    default:
      yield { row };
      yield {
        row: { ...row, name: row.name.toUpperCase() },
        defect: { file: FILE, id, kind: 'duplicate_id', column: 'customer_id' },
      };
  }
}
