import type { EntityChange } from './customer-histories.js';
import { drawDefect, nonPositivePrice } from './defect-injection.js';
import type { EmittedRow } from './emitted-row.js';
import type { ProductRow } from './raw-file-formats.js';
import type { ShopflowWorld } from './shopflow-world.js';
import { formatIsoSeconds } from './utc-time.js';

const FILE = 'products.csv';

/**
 * The `products.csv` rows whose `updated_at` falls on `day`, in file order (`updated_at`, then id):
 * on day 0 first the initial catalogue (as of the start's midnight), then products added and
 * price/category changes of the day.
 *
 * @example
 * for (const { row } of productRowsOfDay(world, 5)) console.log(row.product_id, row.price);
 */
export function* productRowsOfDay(world: ShopflowWorld, day: number): Generator<EmittedRow<ProductRow>> {
  const { calendar, products } = world;
  if (day === 0) {
    for (let id = 1; id <= calendar.initialProducts; id++) yield* productRows(world, id, 0);
  }
  const entries: Array<EntityChange & { at: number }> = [];
  if (day > 0) {
    for (let id = calendar.productsBefore[day] + 1; id <= calendar.productsBefore[day + 1]; id++) {
      entries.push({ id, version: 0, at: products.history(id).versions[0].at });
    }
  }
  for (const change of products.changesOn(day)) {
    entries.push({ ...change, at: products.history(change.id).versions[change.version].at });
  }
  entries.sort((a, b) => a.at - b.at || a.id - b.id);
  for (const entry of entries) yield* productRows(world, entry.id, entry.version);
}

function* productRows(world: ShopflowWorld, id: number, version: number): Generator<EmittedRow<ProductRow>> {
  const current = world.products.history(id).versions[version];
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
