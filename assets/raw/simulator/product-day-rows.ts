import type { EntityChange } from './customer-histories.js';
import { drawDefect, nonPositivePrice } from './defect-injection.js';
import type { EmittedRow } from './emitted-row.js';
import type { ProductHistory } from './product-catalog.js';
import type { ProductRow } from './raw-file-formats.js';
import { isSnapshotDay } from './shopflow-calendar.js';
import type { ShopflowWorld } from './shopflow-world.js';
import { formatIsoSeconds } from './utc-time.js';

const FILE = 'products.csv';

/**
 * The `products.csv` rows whose `updated_at` falls on `day`, in file order: on a snapshot day
 * (`isSnapshotDay`) first every product that exists at its midnight, by id, in the version current
 * then (on day 0, the initial catalogue); then products added and price/category changes of the
 * day, by `updated_at`, then id.
 *
 * @example
 * for (const { row } of productRowsOfDay(world, 5)) console.log(row.product_id, row.price);
 */
export function* productRowsOfDay(world: ShopflowWorld, day: number): Generator<EmittedRow<ProductRow>> {
  const { calendar, products } = world;
  if (isSnapshotDay(day)) {
    const midnight = world.dayStart(day);
    for (let id = 1; id <= calendar.productsBefore(day); id++) {
      const history = products.history(id, day);
      let version = 0;
      while (version + 1 < history.versions.length && history.versions[version + 1].at <= midnight) version++;
      yield* productRows(world, history, version);
    }
  }
  const entries: Array<EntityChange & { at: number; history: ProductHistory }> = [];
  for (let id = calendar.productsBefore(day) + 1; id <= calendar.productsBefore(day + 1); id++) {
    const history = products.history(id, day);
    entries.push({ id, version: 0, at: history.versions[0].at, history });
  }
  for (const change of products.changesOn(day)) {
    const history = products.history(change.id, day);
    entries.push({ ...change, at: history.versions[change.version].at, history });
  }
  entries.sort((a, b) => a.at - b.at || a.id - b.id);
  for (const entry of entries) yield* productRows(world, entry.history, entry.version);
}

function* productRows(
  world: ShopflowWorld,
  history: ProductHistory,
  version: number,
): Generator<EmittedRow<ProductRow>> {
  const { id } = history;
  const current = history.versions[version];
  const text = world.products.text(id);
  const row: ProductRow = {
    product_id: id,
    name: text.name,
    category: current.category.name,
    price: current.priceCents / 100,
    supplier: text.supplier,
    updated_at: formatIsoSeconds(current.at),
  };
  const draw = drawDefect(world.options, FILE, id, version);
  if (!draw) {
    yield { row };
  } else if (draw.kind === 'non_positive_price') {
    yield {
      row: { ...row, price: nonPositivePrice(row.price, draw.variant) },
      defect: { file: FILE, id, kind: draw.kind, column: 'price' },
    };
  } else {
    yield { row };
    yield {
      row: { ...row, name: row.name.toUpperCase() },
      defect: { file: FILE, id, kind: 'duplicate_id', column: 'product_id' },
    };
  }
}
