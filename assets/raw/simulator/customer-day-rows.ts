import type { EntityChange } from './customer-histories.js';
import { drawDefect, malformDate, malformEmail } from './defect-injection.js';
import type { EmittedRow } from './emitted-row.js';
import type { CustomerRow } from './raw-file-formats.js';
import type { ShopflowWorld } from './shopflow-world.js';
import { formatIsoSeconds } from './utc-time.js';

const FILE = 'customers.csv';

/**
 * The `customers.csv` rows whose `updated_at` falls on `day`, in file order (`updated_at`, then id):
 * on day 0 first every customer registered before the start (as of the start's midnight), then new
 * registrations and profile changes of the day.
 *
 * @example
 * for (const { row, defect } of customerRowsOfDay(world, 3)) console.log(row.customer_id, defect?.kind);
 */
export function* customerRowsOfDay(world: ShopflowWorld, day: number): Generator<EmittedRow<CustomerRow>> {
  const { calendar, customers } = world;
  if (day === 0) {
    for (let id = 1; id <= calendar.preStartCustomers; id++) yield* customerRows(world, id, 0);
  }
  const entries: Array<EntityChange & { at: number }> = [];
  for (let id = calendar.customersBefore[day] + 1; id <= calendar.customersBefore[day + 1]; id++) {
    entries.push({ id, version: 0, at: customers.history(id).versions[0].at });
  }
  for (const change of customers.changesOn(day)) {
    entries.push({ ...change, at: customers.history(change.id).versions[change.version].at });
  }
  entries.sort((a, b) => a.at - b.at || a.id - b.id);
  for (const entry of entries) yield* customerRows(world, entry.id, entry.version);
}

function* customerRows(
  world: ShopflowWorld,
  id: number,
  version: number,
): Generator<EmittedRow<CustomerRow>> {
  const history = world.customers.history(id);
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
