import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ShopflowRuntime } from '../../../framework/index.js';
import { jsonLines, runShopflow } from '../../support/run-shopflow.js';
import { type ShopflowTestHome, shopflowTestHome } from '../../support/shopflow-test-home.js';

// Faults injected into one day's extract as a source system could deliver it. Each case checks
// the message, the exit code and what was logged, then restores the file: the data afterwards
// equals that of the uninterrupted run.

const DAY = '2024-01-05';
const SELECTION = 's3_raw_landing,bronze_customers,bronze_transactions,raw_transactions,silver_transactions';
let t: ShopflowTestHome;
let runtime: ShopflowRuntime;
let baseline: Map<string, string>;

const extract = (file: string) => join(t.home, 'raw', 'daily', DAY, file);
const landingKey = (dataset: string) => `raw/year=2024/month=01/day=05/${dataset}/${dataset}.csv`;

async function versions(): Promise<Map<string, string>> {
  const states = await runtime.store.listAssetPartitionStates();
  return new Map(
    states
      .filter((s) => /^(raw|silver)_/.test(s.assetKey) && s.dataVersion)
      .map((s) => [`${s.assetKey}[${s.partitionKey ?? ''}]`, s.dataVersion!]),
  );
}

/** Re-lands the day from its extract and re-reads it through silver. */
async function reland() {
  const result = await runShopflow([
    'materialize',
    SELECTION,
    '--partition',
    DAY,
    '--force',
    '--json',
    '--config',
    t.configFile,
  ]);
  const events = jsonLines(result.stdout);
  return { ...result, events, failures: events.filter((e) => e.type === 'step_failure') };
}

function validationLog(): string[] {
  return readFileSync(join(t.home, 'logs', 'validation.log'), 'utf8')
    .trim()
    .split('\n');
}

/** Rewrites the extract with `edit`, runs `check`, then restores it and re-lands the day. */
async function withFault(
  file: string,
  edit: (text: Buffer) => Buffer | string,
  check: (run: Awaited<ReturnType<typeof reland>>) => Promise<void> | void,
) {
  const path = extract(file);
  copyFileSync(path, `${path}.orig`);
  writeFileSync(path, edit(readFileSync(path)));
  let repaired: Awaited<ReturnType<typeof reland>>;
  try {
    await check(await reland());
  } finally {
    copyFileSync(`${path}.orig`, path);
    repaired = await reland();
  }
  expect(repaired.code, repaired.stderr).toBe(0);
  expect(await versions()).toEqual(baseline);
}

function swapColumns(text: Buffer, a: number, b: number, header: boolean): string {
  return text
    .toString('utf8')
    .split('\n')
    .map((line, i) => {
      if (line === '' || (i === 0 && !header)) return line;
      const fields = line.split(',');
      [fields[a], fields[b]] = [fields[b], fields[a]];
      return fields.join(',');
    })
    .join('\n');
}

beforeAll(async () => {
  t = shopflowTestHome({ scale: 0.2, calendar: { start: '2024-01-01', days: 8 } });
  runtime = await t.open();
  const result = await runtime.execute(await runtime.plan({ selection: '+silver_transactions' }));
  if (result.status !== 'success') throw new Error(`the first run failed: ${result.error}`);
  baseline = await versions();
}, 120_000);

afterAll(async () => {
  await runtime?.close();
  t?.cleanup();
});

describe('bad input never passes silently', () => {
  test('columns swapped with their header are read by name: the data is unchanged', async () => {
    await withFault(
      'transactions.csv',
      (text) => swapColumns(text, 3, 4, true),
      async (run) => {
        expect(run.code, run.stderr).toBe(0);
        expect(await versions()).toEqual(baseline);
        expect(validationLog()).toContainEqual(
          expect.stringContaining(`bronze_transactions[${DAY}] read PASS records=`),
        );
        expect(
          validationLog().some((l) =>
            l.includes(`${landingKey('transactions')}; columns in another order, read by name`),
          ),
        ).toBe(true);
      },
    );
  }, 60_000);

  test('a day whose every row is quarantined fails its blocking check (exit 1), silver keeps the old day', async () => {
    await withFault(
      'transactions.csv',
      (text) => swapColumns(text, 5, 6, false),
      async (run) => {
        expect(run.code).toBe(1);
        const check = run.events.find(
          (e) =>
            e.type === 'check_evaluation' &&
            e.assetKey === 'raw_transactions' &&
            e.data.check === 'rows_kept',
        );
        expect(check?.message).toMatch(/^rows_kept: FAILED — every row read was quarantined \(/);
        expect(
          run.events.some((e) => e.type === 'step_success' && e.assetKey === 'silver_transactions'),
        ).toBe(false);
        expect((await versions()).get(`silver_transactions[${DAY}]`)).toBe(
          baseline.get(`silver_transactions[${DAY}]`),
        );
        expect(validationLog().some((l) => l.includes(`raw_transactions[${DAY}] rows_kept FAIL`))).toBe(true);
      },
    );
  }, 60_000);

  test.each([
    [
      'an extra column',
      (text: Buffer) =>
        text
          .toString('utf8')
          .split('\n')
          .map((line, i) => (line === '' ? line : `${line},${i === 0 ? 'discount' : '0'}`))
          .join('\n'),
      'line 1 (the header) unknown column `discount` (column 9)',
    ],
    [
      'a missing column',
      (text: Buffer) => swapColumns(text, 7, 7, true).replace(',delivery_date', ''),
      'lacks `delivery_date`',
    ],
    ['an empty (0-byte) file', () => '', 'is empty (0 bytes)'],
    [
      'a binary file',
      () => Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0xff, 0x03]),
      'is not a text file (a NUL byte at byte 4, line 1)',
    ],
  ])(
    '%s fails the day once, naming the landing key; nothing is half-written',
    async (_name, edit, expected) => {
      await withFault('transactions.csv', edit, async (run) => {
        expect(run.code).toBe(1);
        expect(run.failures).toHaveLength(1);
        const [failure] = run.failures;
        expect(failure.assetKey).toBe('bronze_transactions');
        expect(failure.message).toContain(`${landingKey('transactions')}`);
        expect(failure.message).toContain(expected);
        expect(failure.message).not.toMatch(/shopflow-bronze-|\/tmp\/|sniff/i);
        expect(failure.data.code).toBe('SF_INPUT_INVALID');
        expect(run.stderr).not.toMatch(/\n\s+at /);
        expect(await versions()).toEqual(baseline);
        const logged = validationLog().filter((l) => l.includes(`bronze_transactions[${DAY}] read FAIL`));
        expect(logged.at(-1)).toContain(expected);
      });
    },
    60_000,
  );

  test('a ragged line is quarantined with its line and reason, the rest of the day loads', async () => {
    await withFault(
      'transactions.csv',
      (text) => {
        const lines = text.toString('utf8').split('\n');
        lines[3] = `${lines[3]},surplus`;
        lines[5] = lines[5].split(',').slice(0, 5).join(',');
        return lines.join('\n');
      },
      async (run) => {
        expect(run.code, run.stderr).toBe(0);
        const read = validationLog()
          .filter((l) => l.includes(`bronze_transactions[${DAY}] read`))
          .at(-1)!;
        expect(read).toMatch(/ read WARN records=(\d+) rows=(\d+) rejected=2 — /);
        const [, records, rows] = /records=(\d+) rows=(\d+)/.exec(read)!.map(Number);
        expect(records - rows).toBe(2);
        expect(read).toContain(
          'rejected line 4: 9 fields where the header has 8: a field after the last column `delivery_date`',
        );
        expect(read).toContain(
          'line 6: 5 fields where the header has 8: `timestamp`, `payment_method`, `delivery_date` missing',
        );
        const quarantined = await runtime.preview('bronze_transactions', DAY, 10, { quarantine: true });
        expect(quarantined.rows.map((r) => [Number(r.source_line), r.quarantine_rules])).toEqual([
          [4, 'line_readable'],
          [6, 'line_readable'],
        ]);
        expect((await versions()).get(`raw_transactions[${DAY}]`)).not.toBe(
          baseline.get(`raw_transactions[${DAY}]`),
        );
      },
    );
  }, 60_000);
});
