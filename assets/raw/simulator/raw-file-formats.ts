import { toCsvLine } from './csv-line.js';
import type { PaymentMethod } from './shopflow-vocabulary.js';

/** The data files the simulator writes. */
export const RAW_DATA_FILES = [
  'customers.csv',
  'products.csv',
  'transactions.csv',
  'clickstream.jsonl',
] as const;

/** One of {@link RAW_DATA_FILES}. */
export type RawDataFile = (typeof RAW_DATA_FILES)[number];

/**
 * One version of a customer profile. `registration_date` is `YYYY-MM-DD` unless a defect made it
 * malformed; `updated_at` is when this version became current (ISO-8601 UTC, seconds).
 */
export interface CustomerRow {
  customer_id: number;
  name: string;
  email: string | null;
  registration_date: string;
  country: string;
  updated_at: string;
}

/** One version of a product; `price` in currency units (written with 2 decimals). */
export interface ProductRow {
  product_id: number;
  name: string;
  category: string;
  price: number;
  supplier: string;
  updated_at: string;
}

/**
 * One transaction line. `timestamp` is when it happened (ISO-8601 UTC, seconds); `delivery_date` is
 * the day the source system delivered it (the same day, or 1–3 days later for late arrivals).
 */
export interface TransactionRow {
  transaction_id: number;
  customer_id: number;
  product_id: number;
  quantity: number;
  unit_price: number;
  timestamp: string;
  payment_method: PaymentMethod;
  delivery_date: string;
}

/** Kinds of clickstream events, in the order a purchase session runs through them. */
export type ClickEventType = 'page_view' | 'product_view' | 'add_to_cart' | 'checkout' | 'purchase';

/** One clickstream event; anonymous sessions have a null `customer_id`. */
export interface ClickEvent {
  event_id: string;
  session_id: string;
  customer_id: number | null;
  event_type: ClickEventType;
  page: string;
  product_id: number | null;
  timestamp: string;
}

/** Header line of each CSV file. */
export const CSV_HEADERS = {
  'customers.csv': 'customer_id,name,email,registration_date,country,updated_at',
  'products.csv': 'product_id,name,category,price,supplier,updated_at',
  'transactions.csv':
    'transaction_id,customer_id,product_id,quantity,unit_price,timestamp,payment_method,delivery_date',
} as const;

/**
 * The CSV line (no line ending) of a customer version.
 *
 * @example
 * formatCustomerRow({ customer_id: 1, name: 'Ann Lee', email: null, registration_date: '2024-01-01',
 *   country: 'US', updated_at: '2024-01-01T00:00:00Z' }); // '1,Ann Lee,,2024-01-01,US,2024-01-01T00:00:00Z'
 */
export function formatCustomerRow(row: CustomerRow): string {
  return toCsvLine([
    row.customer_id,
    row.name,
    row.email,
    row.registration_date,
    row.country,
    row.updated_at,
  ]);
}

/** The CSV line (no line ending) of a product version; the price gets 2 decimals. */
export function formatProductRow(row: ProductRow): string {
  return toCsvLine([
    row.product_id,
    row.name,
    row.category,
    row.price.toFixed(2),
    row.supplier,
    row.updated_at,
  ]);
}

/** The CSV line (no line ending) of a transaction; the unit price gets 2 decimals. */
export function formatTransactionRow(row: TransactionRow): string {
  return toCsvLine([
    row.transaction_id,
    row.customer_id,
    row.product_id,
    row.quantity,
    row.unit_price.toFixed(2),
    row.timestamp,
    row.payment_method,
    row.delivery_date,
  ]);
}

/**
 * The JSON line (no line ending) of a clickstream event, keys in the documented order.
 *
 * @example
 * formatClickEvent(event); // '{"event_id":"e-20240101-0000001","session_id":…,"timestamp":"…"}'
 */
export function formatClickEvent(event: ClickEvent): string {
  return (
    `{"event_id":"${event.event_id}","session_id":"${event.session_id}","customer_id":${event.customer_id}` +
    `,"event_type":"${event.event_type}","page":${JSON.stringify(event.page)},"product_id":${event.product_id}` +
    `,"timestamp":"${event.timestamp}"}`
  );
}
