import { type AssetCheck, defineCheck, quoteIdentifier } from '../../framework/index.js';
import { reconciliationColumns } from './reconciliation-columns.js';

const EXPECTED = 'expected_';

/**
 * Every compared figure of a reconciliation table equals what it is expected to be, exactly: for
 * each column `c` with a column `expected_c` beside it, integers must be equal and decimals equal in
 * whole units (cents for money), with no tolerance. A difference is reported with the row's
 * `period` (the partition or the month), the layer and the difference, e.g. `2024-01-11:
 * gold_sales_daily differs from silver_transactions: revenue +1 cent (20.00, expected 19.99)`.
 *
 * The write's scan counts the rows where a figure differs (those of `reconciliationColumns`, and
 * `also` for a table that compares more); the comparison is queried and spelled out only then.
 *
 * @example
 * checks: [layersAgree('delivery_date')]
 */
export function layersAgree(period: string, also: string[] = []): AssetCheck {
  const figures = [...RECONCILED, ...also];
  return defineCheck({
    name: 'layers_agree',
    description:
      'every compared total equals its expected value exactly: counts as integers, money in whole cents, no tolerance',
    // NOTE: the write's scan counts the rows that differ; the comparison is spelled out only then.
    rowRule: { validWhen: agreeing(figures) },
    async evaluate({ duckdb, data, columns, failingRows }) {
      const names = new Set(columns.map((c) => c.name));
      const pairs = columns
        .filter((c) => c.name.startsWith(EXPECTED) && names.has(c.name.slice(EXPECTED.length)))
        .map((c) => {
          const actual = c.name.slice(EXPECTED.length);
          const scale = decimalScale(c.type);
          return { actual, expected: c.name, scale };
        });
      if (failingRows === 0 && pairs.every((p) => figures.includes(p.actual))) {
        return {
          passed: true,
          message: `${pairs.map((p) => p.actual).join(', ')} agree exactly`,
          metadata: { differing: [], sample: [] },
        };
      }
      const differences = pairs.map(
        ({ actual, expected, scale }) =>
          `cast((${quoteIdentifier(actual)} - ${quoteIdentifier(expected)}) * 1${'0'.repeat(scale)} as BIGINT) as ${quoteIdentifier(`__diff_${actual}`)}`,
      );
      const differing = pairs
        .map(
          ({ actual, expected }) =>
            `${quoteIdentifier(actual)} is distinct from ${quoteIdentifier(expected)}`,
        )
        .join(' or ');
      const rows = await duckdb.query(
        `select *, ${differences.join(', ')} from ${data.toSql()} where ${differing || 'false'} order by all`,
      );
      const lines = rows.map((row) => {
        const parts = pairs
          .filter(({ actual }) => row[`__diff_${actual}`] !== 0 && row[`__diff_${actual}`] !== '0')
          .map(({ actual, expected, scale }) => {
            const difference = row[`__diff_${actual}`];
            return `${actual} ${signedUnits(difference, scale)} (${row[actual]}, expected ${row[expected]})`;
          });
        return `${row[period]}: ${row.layer} differs from ${row.compared_to}: ${parts.join(', ')}`;
      });
      return {
        passed: rows.length === 0,
        message:
          rows.length === 0
            ? `${pairs.map((p) => p.actual).join(', ')} agree exactly`
            : `${rows.length === 1 ? '1 comparison differs' : `${rows.length} comparisons differ`} — ${lines.slice(0, 5).join('; ')}`,
        metadata: { differing: lines, sample: rows.slice(0, 5) },
      };
    },
  });
}

/** The figures every reconciliation table compares: each `x` of its columns with an `expected_x`. */
const RECONCILED = Object.keys(reconciliationColumns).filter((name) =>
  Object.hasOwn(reconciliationColumns, `${EXPECTED}${name}`),
);

/** Every figure equals its expected value (a row predicate). */
function agreeing(figures: string[]): string {
  return figures
    .map((name) => `${quoteIdentifier(name)} is not distinct from ${quoteIdentifier(`${EXPECTED}${name}`)}`)
    .join(' and ');
}

function decimalScale(type: string): number {
  const match = /^DECIMAL\(\d+,(\d+)\)$/.exec(type);
  return match ? Number(match[1]) : 0;
}

function signedUnits(value: unknown, scale: number): string {
  if (value === null || value === undefined) return 'missing on one side';
  const n = Number(value);
  const unit = scale === 2 ? (Math.abs(n) === 1 ? 'cent' : 'cents') : '';
  return `${n > 0 ? '+' : '−'}${Math.abs(n)}${unit ? ` ${unit}` : ''}`;
}
