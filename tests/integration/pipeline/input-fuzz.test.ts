import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { EventRecord, ShopflowRuntime } from '../../../framework/index.js';
import { type ShopflowTestHome, shopflowTestHome } from '../../support/shopflow-test-home.js';

// Random byte-level mutations of a real extract, read raw → silver: whatever the bytes, the run
// either loads a row, quarantines it with a reason, or fails the day with a clear input error —
// never an unexpected error or a stack trace — and the counts of validation.log add up.

const DAY = '2024-01-04';
const SELECTION = 's3_raw_landing,bronze_transactions,raw_transactions,silver_transactions';
const ROUNDS = 16;
const EXPECTED_FAILURES = new Set(['SF_INPUT_INVALID']);
let t: ShopflowTestHome;
let runtime: ShopflowRuntime;
let original: Buffer;

/** A small deterministic generator (mulberry32), so a failing round can be replayed by its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

// NOTE: one NUL byte makes the file binary (the day fails, as it should): it is drawn rarely.
const TROUBLE = [0x0a, 0x0d, 0x22, 0x2c, 0xff, 0xc3, 0x80, 0x3b, 0x5c, 0x22, 0x2c, 0x0a];

/** 1 to 8 edits: flip, delete, insert (often a delimiter, quote, newline, NUL or a broken UTF-8 byte), or cut the end. */
function mutate(bytes: Buffer, seed: number): Buffer {
  const next = random(seed);
  let out = Buffer.from(bytes);
  const edits = 1 + Math.floor(next() * 8);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(next() * out.length);
    const pick = () =>
      next() < 0.7 ? TROUBLE[Math.floor(next() * TROUBLE.length)] : Math.floor(next() * 256);
    switch (Math.floor(next() * 4)) {
      case 0:
        out[at] = pick();
        break;
      case 1:
        out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1 + Math.floor(next() * 20))]);
        break;
      case 2:
        out = Buffer.concat([out.subarray(0, at), Buffer.from([pick(), pick()]), out.subarray(at)]);
        break;
      default:
        if (next() < 0.3) out = out.subarray(0, Math.max(at, Math.floor(out.length * 0.9)));
    }
  }
  return out;
}

function lastRead(): string | undefined {
  return readFileSync(join(t.home, 'logs', 'validation.log'), 'utf8')
    .trim()
    .split('\n')
    .filter((l) => l.includes(`bronze_transactions[${DAY}] read`))
    .at(-1);
}

beforeAll(async () => {
  t = shopflowTestHome({ scale: 1, calendar: { start: '2024-01-01', days: 6 } });
  runtime = await t.open();
  const result = await runtime.execute(await runtime.plan({ selection: '+silver_transactions' }));
  if (result.status !== 'success') throw new Error(`the first run failed: ${result.error}`);
  original = readFileSync(join(t.home, 'raw', 'daily', DAY, 'transactions.csv'));
}, 120_000);

afterAll(async () => {
  await runtime?.close();
  t?.cleanup();
});

describe('random byte mutations of a real extract', () => {
  test(`${ROUNDS} seeded rounds: every row loaded or quarantined with a reason, counts reconciled, no unexpected error`, async () => {
    const path = join(t.home, 'raw', 'daily', DAY, 'transactions.csv');
    copyFileSync(path, `${path}.orig`);
    const outcomes: string[] = [];
    try {
      for (let seed = 1; seed <= ROUNDS; seed++) {
        writeFileSync(path, mutate(original, seed));
        const events: EventRecord[] = [];
        const off = runtime.onEvent((e) => events.push(e));
        let result: Awaited<ReturnType<ShopflowRuntime['execute']>>;
        try {
          result = await runtime.execute(
            await runtime.plan({ selection: SELECTION, partitions: { keys: [DAY] }, force: true }),
          );
        } finally {
          off();
        }
        const failures = events.filter((e) => e.type === 'step_failure');
        for (const f of failures) {
          expect(EXPECTED_FAILURES.has(String(f.data.code)), `seed ${seed}: ${f.message}`).toBe(true);
          expect(f.message, `seed ${seed}`).not.toMatch(/\n\s+at |unexpected error/);
        }
        const read = lastRead()!;
        if (failures.some((f) => f.assetKey === 'bronze_transactions')) {
          expect(read, `seed ${seed}`).toMatch(/ read FAIL /);
          outcomes.push(`failed: ${failures[0].message}`);
          continue;
        }
        // The file was read: each record is a row or a rejected line, and every rejection says why.
        const [, records, rows, rejected] = / records=(\d+) rows=(\d+) rejected=(\d+)/
          .exec(read)!
          .map(Number);
        expect(records, `seed ${seed}: ${read}`).toBe(rows + rejected);
        const bronze = events.find((e) => e.type === 'step_success' && e.assetKey === 'bronze_transactions')!;
        expect(bronze.data.rowCount, `seed ${seed}`).toBe(rows);
        if (rejected > 0) expect(read, `seed ${seed}`).toMatch(/rejected line \d+: \S/);
        // Raw keeps or quarantines every bronze row.
        const raw = events.find((e) => e.type === 'step_success' && e.assetKey === 'raw_transactions');
        if (raw)
          expect(Number(raw.data.rowCount) + Number(raw.data.quarantinedRows), `seed ${seed}`).toBe(rows);
        outcomes.push(`${result.status}:${events.length}:${read.slice(0, 120)}`);
      }
    } finally {
      copyFileSync(`${path}.orig`, path);
    }
    // The seeds exercise both outcomes: days read with lines rejected, and days refused whole.
    expect(outcomes.length).toBe(ROUNDS);
    expect(outcomes.filter((o) => o.startsWith('failed')).length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => / rejected=[1-9]/.test(o)).length).toBeGreaterThan(0);
    const repaired = await runtime.execute(
      await runtime.plan({ selection: SELECTION, partitions: { keys: [DAY] }, force: true }),
    );
    expect(repaired.status).toBe('success');
  }, 180_000);
});
