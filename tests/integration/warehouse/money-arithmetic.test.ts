import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { moneyAverage, moneyRound } from '../../../assets/money.js';
import { roundedQuotient } from '../../../framework/index.js';
import { loadAnalyticsQueries } from '../../../resources/postgres/analytics-queries.js';
import { mulberry32 } from '../../support/seeded-random.js';
import { startTestPostgres, type TestPostgres } from '../../support/test-postgres.js';

let server: TestPostgres;
let pool: pg.Pool;
let duckdb: DuckDBInstance;
let duck: DuckDBConnection;

beforeAll(async () => {
  server = await startTestPostgres();
  pool = new pg.Pool({ connectionString: server.url, max: 2 });
  duckdb = await DuckDBInstance.create(':memory:');
  duck = await duckdb.connect();
}, 60_000);

afterAll(async () => {
  duck?.closeSync();
  await pool?.end();
  await server?.stop();
});

/** Both engines, each returning the text of the first column of every row. */
const ENGINES = [
  {
    name: 'DuckDB',
    column: async (query: string) =>
      (await duck.runAndReadAll(query)).getRowsJson().map((r) => (r[0] === null ? null : String(r[0]))),
  },
  {
    name: 'PostgreSQL',
    column: async (query: string) =>
      (await pool.query({ text: query, rowMode: 'array' })).rows.map((r) =>
        r[0] === null ? null : String(r[0]),
      ),
  },
];

/** `select <expression>` over rows (total DECIMAL(18,2), n BIGINT), in their order. */
function overBaskets(expression: string, baskets: Array<[string, number]>): string {
  const rows = baskets.map(
    ([total, n], i) => `(${i}, cast('${total}' as decimal(18, 2)), cast(${n} as bigint))`,
  );
  return `select ${expression} from (values ${rows.join(', ')}) as t(i, total, n) order by i`;
}

/** total / n in cents, rounded half away from zero, in exact integer arithmetic. */
function referenceAverage(totalCents: bigint, n: bigint): string {
  const magnitude = (2n * (totalCents < 0n ? -totalCents : totalCents) + n) / (2n * n);
  return centsText(totalCents < 0n ? -magnitude : magnitude);
}

function centsText(cents: bigint): string {
  const sign = cents < 0n ? '-' : '';
  const abs = cents < 0n ? -cents : cents;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

const random = mulberry32;

for (const engine of ENGINES) {
  describe(`the money helper on ${engine.name}`, () => {
    test('averages land on the cent half away from zero: the exact-half cases of the published tables, and refunds', async () => {
      const cases: Array<[string, number, string | null]> = [
        ['19.99', 2, '10.00'], // gold_sales_daily 2024-01-11 Garden (published 9.99)
        ['282.46', 4, '70.62'], // 2024-01-02 Sports & Outdoors (published 70.61)
        ['75.99', 2, '38.00'], // 2024-01-14 Automotive (published 37.99)
        ['1402.30', 20, '70.12'], // scale 20, 2024-01-10 Office Products (published 70.11)
        ['153.45', 2, '76.73'], // customer_clv, customer 492 (published 76.72)
        ['0.05', 2, '0.03'],
        ['0.01', 2, '0.01'],
        ['-19.99', 2, '-10.00'],
        ['-282.46', 4, '-70.62'],
        ['-0.05', 2, '-0.03'],
        ['-0.01', 2, '-0.01'],
        ['10.00', 3, '3.33'],
        ['20.00', 3, '6.67'],
        ['-20.00', 3, '-6.67'],
        ['0.00', 5, '0.00'],
        ['5.00', 0, null],
        ['5.00', -1, null],
      ];
      const got = await engine.column(
        overBaskets(
          moneyAverage('total', 'n').text,
          cases.map(([t, n]) => [t, n]),
        ),
      );
      expect(got).toEqual(cases.map(([, , expected]) => expected));
    });

    test('integer quotients round half away from zero, exactly up to 2^53', async () => {
      const cases: Array<[string, string, string | null]> = [
        ['5', '2', '3'],
        ['-5', '2', '-3'],
        ['7', '2', '4'],
        ['1', '3', '0'],
        ['2', '3', '1'],
        ['-2', '3', '-1'],
        ['0', '1', '0'],
        ['4000000000000001', '2', '2000000000000001'],
        ['-4000000000000001', '2', '-2000000000000001'],
        ['3', '0', null],
      ];
      const rows = cases.map(([a, b], i) => `(${i}, cast(${a} as bigint), cast(${b} as bigint))`);
      const got = await engine.column(
        `select ${roundedQuotient('a', 'b').text} from (values ${rows.join(', ')}) as t(i, a, b) order by i`,
      );
      expect(got).toEqual(cases.map(([, , q]) => q));
    });

    test('a money estimate in double precision is rounded to the cent half away from zero at its decimal value', async () => {
      const got = await engine.column(
        `select ${moneyRound('x').text} from (values (0, cast(2.675 as double precision)), (1, cast(-0.125 as double precision)),
           (2, cast(1.005 as double precision)), (3, cast(123.4449 as double precision))) as t(i, x) order by i`,
      );
      expect(got).toEqual(['2.68', '-0.13', '1.01', '123.44']);
      const decimals = await engine.column(
        `select ${moneyRound('x').text} from (values (0, cast(70.125 as decimal(18, 3))), (1, cast(-70.125 as decimal(18, 3))),
           (2, cast(70.124 as decimal(18, 3)))) as t(i, x) order by i`,
      );
      expect(decimals).toEqual(['70.13', '-70.13', '70.12']);
    });

    test('property: random baskets whose average lands on an exact half cent round away from zero', async () => {
      const seed = Number(process.env.SHOPFLOW_PROPERTY_SEED ?? 20240111);
      const next = random(seed);
      const baskets: Array<{ prices: bigint[]; total: bigint; n: bigint }> = [];
      while (baskets.length < 400) {
        // an even number of prices, so the total can be n × (k + ½) cents
        const n = 2 * (1 + Math.floor(next() * 20));
        const k = BigInt(1 + Math.floor(next() * 50_000));
        const total = BigInt(n) * k + BigInt(n / 2);
        const prices: bigint[] = [];
        for (let i = 0; i < n - 1; i++) prices.push(BigInt(1 + Math.floor(next() * Number(2n * k))));
        const last = total - prices.reduce((a, b) => a + b, 0n);
        if (last <= 0n) continue;
        prices.push(last);
        const sign = next() < 0.25 ? -1n : 1n; // refunds: every price negative
        baskets.push({ prices: prices.map((p) => sign * p), total: sign * total, n: BigInt(n) });
      }
      // NOTE: the basket is summed by the engine from its prices, as an asset sums amounts.
      const rows = baskets.flatMap((b, i) =>
        b.prices.map((p) => `(${i}, cast('${centsText(p)}' as decimal(18, 2)))`),
      );
      const query = (expression: string) =>
        `select ${expression} from (select i, sum(price) as total, count(*) as n from (values ${rows.join(', ')}) as t(i, price) group by i) b order by i`;
      const got = await engine.column(query(moneyAverage('total', 'n').text));
      const expected = baskets.map((b) => referenceAverage(b.total, b.n));
      for (let i = 0; i < baskets.length; i++) {
        expect(got[i], `seed ${seed}, basket ${i}: ${baskets[i].prices.map(centsText).join(' + ')}`).toBe(
          expected[i],
        );
      }
      // Every basket is an exact half: the average is never the truncated one.
      for (const b of baskets) expect((2n * (b.total < 0n ? -b.total : b.total)) % (2n * b.n)).toBe(b.n);
      if (engine.name === 'DuckDB') {
        // The formula the gold assets used gets some of them wrong: the property has teeth.
        const naive = await engine.column(
          query('cast(round(cast(total as double) / n, 2) as decimal(18, 2))'),
        );
        expect(naive.filter((v, i) => v !== expected[i]).length).toBeGreaterThan(0);
      }
    });
  });
}

describe('sql/analytics/basic_analytics.sql', () => {
  test('divides money with the money helper, written out verbatim (it must run without the TypeScript)', () => {
    const queries = loadAnalyticsQueries();
    const flat = (text: string) => text.replace(/\s+/g, ' ');
    expect(flat(queries.aov_by_country)).toContain(flat(roundedQuotient('revenue_cents', 'orders').text));
    expect(flat(queries.monthly_revenue)).toContain(
      flat(roundedQuotient('change_units', 'previous_cents').text),
    );
  });
});
