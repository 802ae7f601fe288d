import { join } from 'node:path';
import { readCsvRecords } from './parse-csv.js';

/** A defect found by re-reading the files, independently of what the simulator recorded. */
export interface DetectedDefect {
  file: string;
  id: number;
  kind: string;
  column: string;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Whether `text` is a real `YYYY-MM-DD` date. */
export function isIsoDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === text;
}

/** Whether `text` is a real `YYYY-MM-DDTHH:MM:SSZ` instant. */
export function isIsoTimestamp(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(text)) return false;
  const ms = Date.parse(text);
  return !Number.isNaN(ms) && new Date(ms).toISOString() === text.replace('Z', '.000Z');
}

/**
 * Re-detects every defect kind in a generated folder: a repeated key (id + updated_at, or
 * transaction_id) after its first row is a duplicate; otherwise empty or malformed emails,
 * unparseable dates, prices ≤ 0 and foreign keys absent from customers.csv / products.csv.
 */
export function detectDefects(dir: string): DetectedDefect[] {
  const found: DetectedDefect[] = [];
  const customers = readCsvRecords(join(dir, 'customers.csv'));
  const products = readCsvRecords(join(dir, 'products.csv'));
  const transactions = readCsvRecords(join(dir, 'transactions.csv'));

  const seen = new Set<string>();
  for (const row of customers) {
    const id = Number(row.customer_id);
    const key = `${id}@${row.updated_at}`;
    const add = (kind: string, column: string) => found.push({ file: 'customers.csv', id, kind, column });
    if (seen.has(key)) add('duplicate_id', 'customer_id');
    else if (row.email === '') add('null_email', 'email');
    else if (!EMAIL.test(row.email)) add('malformed_email', 'email');
    else if (!isIsoDate(row.registration_date)) add('malformed_date', 'registration_date');
    seen.add(key);
  }
  seen.clear();
  for (const row of products) {
    const id = Number(row.product_id);
    const key = `${id}@${row.updated_at}`;
    const add = (kind: string, column: string) => found.push({ file: 'products.csv', id, kind, column });
    if (seen.has(key)) add('duplicate_id', 'product_id');
    else if (!(Number(row.price) > 0)) add('non_positive_price', 'price');
    seen.add(key);
  }
  const customerIds = new Set(customers.map((row) => row.customer_id));
  const productIds = new Set(products.map((row) => row.product_id));
  seen.clear();
  for (const row of transactions) {
    const id = Number(row.transaction_id);
    const add = (kind: string, column: string) => found.push({ file: 'transactions.csv', id, kind, column });
    if (seen.has(row.transaction_id)) add('duplicate_id', 'transaction_id');
    else if (!isIsoTimestamp(row.timestamp)) add('malformed_date', 'timestamp');
    else if (!(Number(row.unit_price) > 0)) add('non_positive_price', 'unit_price');
    else if (!customerIds.has(row.customer_id)) add('orphan_fk', 'customer_id');
    else if (!productIds.has(row.product_id)) add('orphan_fk', 'product_id');
    seen.add(row.transaction_id);
  }
  return found;
}

/** Detected defects counted as `_defects.json` counts them: `counts[file][kind]`, zeros omitted. */
export function countDefects(
  defects: readonly { file: string; kind: string }[],
): Record<string, Record<string, number>> {
  const counts: Record<string, Record<string, number>> = {};
  for (const { file, kind } of defects) {
    counts[file] ??= {};
    counts[file][kind] = (counts[file][kind] ?? 0) + 1;
  }
  return counts;
}
