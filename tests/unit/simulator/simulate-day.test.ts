import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DefectReport,
  formatClickEvent,
  formatCustomerRow,
  formatProductRow,
  formatTransactionRow,
  generateShopflowData,
  ShopflowSimulator,
  simulateDay,
} from '../../../assets/raw/simulator/index.js';
import { isIsoTimestamp } from './detect-defects.js';
import { parseCsv } from './parse-csv.js';

const OPTIONS = { seed: 11, scale: 0.2, days: 30, start: '2024-03-01', defectRate: 0.02 };
const root = mkdtempSync(join(tmpdir(), 'shopflow-sim-day-'));
const out = join(root, 'raw');
const lines: Record<string, string[]> = {};
let report: DefectReport;

beforeAll(async () => {
  await generateShopflowData({ ...OPTIONS, out });
  for (const file of ['customers.csv', 'products.csv', 'transactions.csv', 'clickstream.jsonl']) {
    const all = readFileSync(join(out, file), 'utf8').trimEnd().split('\n');
    lines[file] = file.endsWith('.csv') ? all.slice(1) : all;
  }
  report = JSON.parse(readFileSync(join(out, '_defects.json'), 'utf8'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The file's lines whose day column (parsed, never a defect column) is `date`. */
function slice(file: string, column: number, date: string): string[] {
  return lines[file].filter((line) => parseCsv(`${line}\n`)[0][column].startsWith(date));
}

describe('simulateDay', () => {
  it('equals, day after day, the slice of the full generation (and together, the whole files)', () => {
    const simulator = new ShopflowSimulator(OPTIONS);
    const days = simulator.dates.map((date) => simulator.day(date));
    expect(days.flatMap((d) => d.customers.map(formatCustomerRow))).toEqual(lines['customers.csv']);
    expect(days.flatMap((d) => d.products.map(formatProductRow))).toEqual(lines['products.csv']);
    expect(days.flatMap((d) => d.transactions.map(formatTransactionRow))).toEqual(lines['transactions.csv']);
    expect(days.flatMap((d) => d.clickstream.map(formatClickEvent))).toEqual(lines['clickstream.jsonl']);
    const key = (d: { file: string; id: number; kind: string; column: string }) =>
      `${d.file}|${d.id}|${d.kind}|${d.column}`;
    expect(days.flatMap((d) => d.defects.map(key)).sort()).toEqual(report.defects.map(key).sort());
  });

  it("extract gives the same rows, its clickstream as the bytes of the file's lines", () => {
    const simulator = new ShopflowSimulator(OPTIONS);
    const extracts = simulator.dates.map((date) => simulator.extract(date));
    const text = extracts.map((d) => d.clickstream.bytes.toString('utf8')).join('');
    expect(text).toBe(`${lines['clickstream.jsonl'].join('\n')}\n`);
    expect(extracts.reduce((sum, d) => sum + d.clickstream.rows, 0)).toBe(lines['clickstream.jsonl'].length);
    const day = simulator.day('2024-03-17');
    const { clickstream: _bytes, ...rows } = simulator.extract('2024-03-17');
    const { clickstream: _events, ...sameRows } = day;
    expect(rows).toEqual(sameRows);
  });

  it('returns the rows of the day by updated_at, delivery_date and event timestamp', () => {
    for (const date of ['2024-03-01', '2024-03-17', '2024-03-30']) {
      const day = simulateDay(OPTIONS, date);
      expect(day.customers.map(formatCustomerRow)).toEqual(slice('customers.csv', 5, date));
      expect(day.products.map(formatProductRow)).toEqual(slice('products.csv', 5, date));
      expect(day.transactions.map(formatTransactionRow)).toEqual(slice('transactions.csv', 7, date));
      expect(day.clickstream.map(formatClickEvent)).toEqual(
        lines['clickstream.jsonl'].filter((line) => JSON.parse(line).timestamp.startsWith(date)),
      );
      expect(day.transactions.length).toBeGreaterThan(0);
      expect(day.clickstream.length).toBeGreaterThan(0);
    }
  });

  it('includes late arrivals delivered on the day', () => {
    const simulator = new ShopflowSimulator(OPTIONS);
    const days = simulator.dates.map((date) => simulator.day(date));
    const late = days.flatMap((day) =>
      day.transactions.filter((row) => isIsoTimestamp(row.timestamp) && !row.timestamp.startsWith(day.date)),
    );
    expect(late.length).toBeGreaterThan(0);
    for (const row of late) {
      const delay = (Date.parse(row.delivery_date) - Date.parse(row.timestamp.slice(0, 10))) / 86_400_000;
      expect([1, 2, 3]).toContain(delay);
    }
  });

  it('is deterministic and rejects dates outside the range', () => {
    expect(simulateDay(OPTIONS, '2024-03-09')).toEqual(simulateDay(OPTIONS, '2024-03-09'));
    for (const date of ['2024-02-29', '2024-03-31', '2024-3-5', 'tomorrow']) {
      expect(() => simulateDay(OPTIONS, date)).toThrowError(
        expect.objectContaining({ code: 'SF_BAD_USAGE', message: expect.stringContaining('2024-03-30') }),
      );
    }
  });
});
