import { drawDefect, malformTimestamp, nonPositivePrice, orphanId } from './defect-injection.js';
import type { EmittedRow } from './emitted-row.js';
import type { TransactionRow } from './raw-file-formats.js';
import type { ShopflowWorld } from './shopflow-world.js';
import type { TransactionDraft } from './transaction-drafts.js';
import { formatDayTime } from './utc-time.js';

const FILE = 'transactions.csv';

/**
 * The `transactions.csv` row(s) of one transaction: the row with its injected defect, if any, and
 * for `duplicate_id` an extra row with the same id and another quantity. The unit price is the
 * product's price valid at the timestamp.
 *
 * @example
 * [...transactionRows(world, draft)].map(({ row }) => row.transaction_id); // [draft.id]
 */
export function* transactionRows(
  world: ShopflowWorld,
  draft: TransactionDraft,
): Generator<EmittedRow<TransactionRow>> {
  const id = draft.id;
  const row: TransactionRow = {
    transaction_id: id,
    customer_id: draft.customerId,
    product_id: draft.productId,
    quantity: draft.quantity,
    unit_price:
      world.products.priceCentsAt(draft.productId, world.dayStart(draft.day) + draft.secondOfDay) / 100,
    timestamp: formatDayTime(world.isoDate(draft.day), draft.secondOfDay * 1000, false),
    payment_method: draft.paymentMethod,
    delivery_date: world.isoDate(draft.deliveryDay),
  };
  const draw = drawDefect(world.options, FILE, id, 0);
  if (!draw) {
    yield { row };
    return;
  }
  switch (draw.kind) {
    case 'malformed_date':
      yield {
        row: { ...row, timestamp: malformTimestamp(row.timestamp, draw.variant) },
        defect: { file: FILE, id, kind: draw.kind, column: 'timestamp' },
      };
      return;
    case 'non_positive_price':
      yield {
        row: { ...row, unit_price: nonPositivePrice(row.unit_price, draw.variant) },
        defect: { file: FILE, id, kind: draw.kind, column: 'unit_price' },
      };
      return;
    case 'orphan_fk': {
      const column = draw.variant % 2 === 0 ? 'customer_id' : 'product_id';
      yield {
        row: { ...row, [column]: orphanId(draw.variant >>> 1) },
        defect: { file: FILE, id, kind: draw.kind, column },
      };
      return;
    }
    default:
      yield { row };
      yield {
        row: { ...row, quantity: row.quantity === 1 ? 2 : row.quantity - 1 },
        defect: { file: FILE, id, kind: 'duplicate_id', column: 'transaction_id' },
      };
  }
}
