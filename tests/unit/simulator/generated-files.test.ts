import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ClickEvent,
  type DefectReport,
  formatCustomerRow,
  type GenerateSummary,
  generateShopflowData,
  PAYMENT_METHODS,
  simulateDay,
} from '../../../assets/raw/simulator/index.js';
import { countDefects, detectDefects, isIsoDate, isIsoTimestamp } from './detect-defects.js';
import { parseCsv, readCsvRecords } from './parse-csv.js';

// One generation at the default scale (1,000 customers, 500 products, 5,000 transactions, 90 days),
// shared by every test of this file.
const root = mkdtempSync(join(tmpdir(), 'shopflow-sim-'));
const out = join(root, 'raw');
let summary: GenerateSummary;
let customers: Record<string, string>[];
let products: Record<string, string>[];
let transactions: Record<string, string>[];
let clickstream: ClickEvent[];
let report: DefectReport;
let defectiveRows: Set<string>;

beforeAll(async () => {
  summary = await generateShopflowData({ out });
  customers = readCsvRecords(join(out, 'customers.csv'));
  products = readCsvRecords(join(out, 'products.csv'));
  transactions = readCsvRecords(join(out, 'transactions.csv'));
  clickstream = readFileSync(join(out, 'clickstream.jsonl'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));
  report = JSON.parse(readFileSync(join(out, '_defects.json'), 'utf8'));
  defectiveRows = new Set(report.defects.map((d) => `${d.file}#${d.id}`));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const clean = (file: string, id: string) => !defectiveRows.has(`${file}#${Number(id)}`);
const dateOf = (timestamp: string) => timestamp.slice(0, 10);

describe('generateShopflowData at scale 1', () => {
  it('has exactly 1,000 customers, 500 products and 5,000 transactions (distinct ids)', () => {
    expect(new Set(customers.map((r) => r.customer_id)).size).toBe(1_000);
    expect(new Set(products.map((r) => r.product_id)).size).toBe(500);
    expect(new Set(transactions.map((r) => r.transaction_id)).size).toBe(5_000);
    expect(summary.manifest.entities).toEqual({ customers: 1_000, products: 500, transactions: 5_000 });
    // ids are dense: 1..N
    expect(Math.max(...transactions.map((r) => Number(r.transaction_id)))).toBe(5_000);
  });

  it('writes a manifest whose row counts and sha256 match the files', () => {
    const manifest = JSON.parse(readFileSync(join(out, '_manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ seed: 42, scale: 1, start: '2024-01-01', days: 90, defectRate: 0.003 });
    const rows: Record<string, number> = {
      'customers.csv': customers.length,
      'products.csv': products.length,
      'transactions.csv': transactions.length,
      'clickstream.jsonl': clickstream.length,
    };
    for (const [file, stats] of Object.entries<{ rows?: number; sha256: string; bytes: number }>(
      manifest.files,
    )) {
      const bytes = readFileSync(join(out, file));
      expect(stats.sha256, file).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(stats.bytes, file).toBe(bytes.length);
      if (file in rows) expect(stats.rows, file).toBe(rows[file]);
    }
    expect(Object.keys(manifest.files).sort()).toEqual([
      '_defects.json',
      'clickstream.jsonl',
      'customers.csv',
      'products.csv',
      'transactions.csv',
    ]);
  });

  it('records exactly the defects that a re-detection finds in the files', () => {
    const detected = detectDefects(out);
    const recorded = Object.fromEntries(
      Object.entries(report.counts).map(([file, kinds]) => [
        file,
        Object.fromEntries(Object.entries(kinds).filter(([, n]) => n! > 0)),
      ]),
    );
    expect(countDefects(detected)).toEqual(recorded);
    expect(report.truncated).toBe(false);
    const key = (d: { file: string; id: number; kind: string; column: string }) =>
      `${d.file}|${d.id}|${d.kind}|${d.column}`;
    expect(detected.map(key).sort()).toEqual(report.defects.map(key).sort());
    expect(report.total).toBe(detected.length);
    expect(report.total).toBeGreaterThan(0);
  });

  it('writes valid values in every clean row', () => {
    expect(customers.find((row) => !/^[A-Z]{2}$/.test(row.country))).toBeUndefined();
    expect(customers.find((row) => !isIsoTimestamp(row.updated_at))).toBeUndefined();
    expect(products.find((row) => !/^-?\d+\.\d{2}$/.test(row.price))).toBeUndefined();
    expect(
      transactions.find((row) => !(PAYMENT_METHODS as readonly string[]).includes(row.payment_method)),
    ).toBeUndefined();
    expect(transactions.find((row) => !/^-?\d+\.\d{2}$/.test(row.unit_price))).toBeUndefined();
    expect(transactions.find((row) => !(Number(row.quantity) >= 1))).toBeUndefined();
  });

  it('sorts customer and product versions by updated_at, then id', () => {
    for (const [rows, idColumn] of [
      [customers, 'customer_id'],
      [products, 'product_id'],
    ] as const) {
      for (let i = 1; i < rows.length; i++) {
        const a = rows[i - 1];
        const b = rows[i];
        const ordered =
          a.updated_at < b.updated_at ||
          (a.updated_at === b.updated_at && Number(a[idColumn]) <= Number(b[idColumn]));
        expect(ordered, `${idColumn} ${a[idColumn]} then ${b[idColumn]}`).toBe(true);
      }
    }
  });

  it('has customers before the start and new customers every day', () => {
    expect(customers.some((r) => isIsoDate(r.registration_date) && r.registration_date < '2024-01-01')).toBe(
      true,
    );
    const days = new Set(
      customers.filter((r) => r.updated_at > '2024-01-01T00:00:00Z').map((r) => r.registration_date),
    );
    expect(days.size).toBeGreaterThanOrEqual(89);
  });

  it('delivers ~2% of transactions 1–3 days late, and the rest on their day', () => {
    const valid = transactions.filter((r) => isIsoTimestamp(r.timestamp));
    const late = valid.filter((r) => r.delivery_date !== dateOf(r.timestamp));
    expect(late.length).toBeGreaterThan(valid.length * 0.01);
    expect(late.length).toBeLessThan(valid.length * 0.03);
    for (const row of late) {
      const delay = (Date.parse(row.delivery_date) - Date.parse(dateOf(row.timestamp))) / 86_400_000;
      expect(delay).toBeGreaterThanOrEqual(1);
      expect(delay).toBeLessThanOrEqual(3);
    }
    // the file is ordered by delivery date, then timestamp
    const outOfOrder = valid.findIndex((row, i) => {
      const before = valid[i - 1];
      if (i === 0 || before.delivery_date < row.delivery_date) return false;
      return before.delivery_date > row.delivery_date || before.timestamp > row.timestamp;
    });
    expect(outOfOrder).toBe(-1);
  });

  it('keeps customer versions fit for SCD2: changes on later days, some twice, some changing back', () => {
    const versions = new Map<string, Record<string, string>[]>();
    const seen = new Set<string>();
    for (const row of customers) {
      const key = `${row.customer_id}@${row.updated_at}`;
      if (seen.has(key)) continue; // injected duplicate
      seen.add(key);
      versions.set(row.customer_id, [...(versions.get(row.customer_id) ?? []), row]);
    }
    const changed = [...versions.values()].filter((v) => v.length > 1);
    expect(changed.length).toBeGreaterThan(20);
    expect(changed.length).toBeLessThan(120);
    const threeVersions = changed.filter((v) => v.length === 3);
    expect(threeVersions.length).toBeGreaterThan(0);
    const profile = (r: Record<string, string>) => `${r.email}|${r.country}`;
    const changedBack = threeVersions.filter((v) => profile(v[2]) === profile(v[0]));
    expect(changedBack.length).toBeGreaterThan(0);
    for (const history of changed) {
      for (let i = 1; i < history.length; i++) {
        expect(dateOf(history[i].updated_at) > dateOf(history[i - 1].updated_at)).toBe(true);
        expect(profile(history[i])).not.toBe(profile(history[i - 1]));
        expect(history[i].name).toBe(history[0].name);
      }
    }
  });

  it('changes product prices and categories on later days', () => {
    const byId = new Map<string, Record<string, string>[]>();
    for (const row of products) byId.set(row.product_id, [...(byId.get(row.product_id) ?? []), row]);
    const histories = [...byId.values()];
    expect(histories.filter((h) => h[0].updated_at === '2024-01-01T00:00:00Z').length).toBeGreaterThan(400);
    expect(histories.filter((h) => h[0].updated_at > '2024-01-01T00:00:00Z').length).toBeGreaterThan(50);
    const changes = histories.flatMap((h) => h.slice(1).map((row, i) => [h[i], row] as const));
    expect(changes.some(([before, after]) => before.price !== after.price)).toBe(true);
    expect(changes.some(([before, after]) => before.category !== after.category)).toBe(true);
  });

  it('prices each transaction at the product version valid at its timestamp', () => {
    const versions = new Map<string, Record<string, string>[]>();
    const seen = new Set<string>();
    for (const row of products) {
      const key = `${row.product_id}@${row.updated_at}`;
      if (seen.has(key)) continue;
      seen.add(key);
      versions.set(row.product_id, [...(versions.get(row.product_id) ?? []), row]);
    }
    let checked = 0;
    let afterPriceChange = 0;
    for (const row of transactions) {
      if (!clean('transactions.csv', row.transaction_id)) continue;
      const history = versions.get(row.product_id)!;
      const valid = history.filter((v) => v.updated_at <= row.timestamp);
      expect(valid.length, `product ${row.product_id} exists at ${row.timestamp}`).toBeGreaterThan(0);
      const version = valid[valid.length - 1];
      if (Number(version.price) <= 0) continue; // that product version carries an injected price defect
      expect(row.unit_price, `transaction ${row.transaction_id}`).toBe(version.price);
      checked += 1;
      if (valid.length > 1 && valid[valid.length - 2].price !== version.price) afterPriceChange += 1;
    }
    expect(checked).toBeGreaterThan(4_900);
    expect(afterPriceChange).toBeGreaterThan(0);
  });

  it('references only customers registered before the transaction', () => {
    const firstSeen = new Map<string, string>();
    for (const row of customers)
      if (!firstSeen.has(row.customer_id)) firstSeen.set(row.customer_id, row.updated_at);
    for (const row of transactions) {
      if (!clean('transactions.csv', row.transaction_id)) continue;
      expect(firstSeen.get(row.customer_id)! <= row.timestamp, `transaction ${row.transaction_id}`).toBe(
        true,
      );
    }
  });

  it('writes ~10 clickstream events per transaction, purchases matching transactions', () => {
    expect(clickstream.length / 5_000).toBeGreaterThan(8);
    expect(clickstream.length / 5_000).toBeLessThan(12);
    expect(new Set(clickstream.map((e) => e.event_id)).size).toBe(clickstream.length);
    expect(clickstream.some((e) => e.customer_id === null)).toBe(true);
    const types = new Set(clickstream.map((e) => e.event_type));
    expect([...types].sort()).toEqual(['add_to_cart', 'checkout', 'page_view', 'product_view', 'purchase']);
    expect(clickstream.findIndex((e, i) => i > 0 && clickstream[i - 1].timestamp > e.timestamp)).toBe(-1);
    const sessionDays = new Map<string, string>();
    const crossing = clickstream.filter((event) => {
      const day = dateOf(event.timestamp);
      const first = sessionDays.get(event.session_id) ?? day;
      sessionDays.set(event.session_id, first);
      return first !== day;
    });
    expect(crossing).toEqual([]);
    const purchases = new Set(
      clickstream
        .filter((e) => e.event_type === 'purchase')
        .map((e) => `${e.customer_id}|${e.product_id}|${e.timestamp.replace('.000Z', 'Z')}`),
    );
    expect(purchases.size).toBeGreaterThan(4_900);
    const cleanTransactions = transactions.filter((r) => clean('transactions.csv', r.transaction_id));
    const unmatched = cleanTransactions.filter(
      (row) => !purchases.has(`${row.customer_id}|${row.product_id}|${row.timestamp}`),
    );
    expect(unmatched).toEqual([]);
  });

  it('quotes names holding a comma or a quote so that they round-trip', () => {
    const day0 = simulateDay({}, '2024-01-01');
    const withComma = day0.customers.find((row) => row.name.includes(','));
    const withQuote = day0.customers.find((row) => row.name.includes('"'));
    expect(withComma).toBeDefined();
    expect(withQuote).toBeDefined();
    const lines = readFileSync(join(out, 'customers.csv'), 'utf8').split('\n');
    for (const row of [withComma!, withQuote!]) {
      const line = formatCustomerRow(row);
      expect(lines).toContain(line);
      expect(parseCsv(`${line}\n`)[0][1]).toBe(row.name);
      const parsed = customers.find(
        (r) => Number(r.customer_id) === row.customer_id && r.updated_at === row.updated_at,
      );
      expect(parsed?.name).toBe(row.name);
    }
    expect(products.some((row) => row.supplier.includes(','))).toBe(true);
  });
});
