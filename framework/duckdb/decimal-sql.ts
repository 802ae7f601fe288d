import { checkDecimalType, type DecimalType } from '../definitions/decimal-column.js';
import { SqlQuery } from './sql-template.js';

// NOTE: every expression below is portable: the same text gives the same value on DuckDB and on
// PostgreSQL. DuckDB divides DECIMALs (and, with `/`, integers) in double precision, PostgreSQL
// exactly; so divisions are done on whole units in integers, where for y > 0 the numerator
// x - x % y is a multiple of y and (x - x % y) / y is exact on both engines (below 2^53).

/**
 * SQL for `numerator / denominator` rounded to a whole number half away from zero (2.5 → 3,
 * -2.5 → -3), computed exactly in integer arithmetic: `numerator` is an integer expression of any
 * sign, `denominator` a positive integer expression; NULL when the denominator is zero or negative.
 * The result is a BIGINT. Exact while `2 × |numerator| + denominator` stays below 2^53.
 *
 * @example
 * roundedQuotient('revenue_cents', 'orders') // 1999 / 2 → 1000; -1999 / 2 → -1000
 */
export function roundedQuotient(numerator: string, denominator: string): SqlQuery {
  const n = operand(numerator);
  const d = operand(denominator);
  const twice = `(2 * abs(${numerator}) + ${d})`;
  return new SqlQuery(
    `case when ${d} > 0 then (case when ${n} < 0 then -1 else 1 end) * cast((${twice} - ${twice} % (2 * ${d})) / (2 * ${d}) as bigint) end`,
  );
}

/**
 * SQL for `value / count` as a `DECIMAL(precision, scale)`, rounded half away from zero on the last
 * decimal and exact: `value` is a decimal expression with at most `scale` decimals (e.g. a sum of
 * money), turned into whole units (cents for scale 2) before an integer division by `count`, a
 * positive integer expression. NULL when `count` is zero or negative. The same rule as
 * {@link roundedQuotient}, on units of 10^-scale.
 *
 * @example
 * decimalQuotient('sum(amount)', 'count(*)', { precision: 18, scale: 2 }) // 19.99 / 2 → 10.00, 282.46 / 4 → 70.62
 */
export function decimalQuotient(value: string, count: string, type: DecimalType): SqlQuery {
  checkDecimalType(type.precision, type.scale);
  const units = `cast(${operand(value)} * 1${'0'.repeat(type.scale)} as bigint)`;
  return new SqlQuery(
    `cast(${roundedQuotient(units, count).text} * ${unit(type.scale)} as ${decimalSql(type)})`,
  );
}

/**
 * SQL rounding `value` to a `DECIMAL(precision, scale)`, half away from zero, with the same result
 * on both engines: exact for a decimal input; a DOUBLE (an estimate, e.g. a model prediction) is
 * rounded at its shortest decimal representation (the digits it prints as), so 1.005 becomes 1.01
 * on both engines although the binary double is a little below it. (A plain cast would not do:
 * DuckDB casts a DOUBLE by scaling it in binary, giving 1.00, PostgreSQL gives 1.01.)
 *
 * @example
 * decimalRound('predicted_clv', { precision: 18, scale: 2 }) // cast(cast(predicted_clv as varchar) as decimal(18, 2))
 */
export function decimalRound(value: string, type: DecimalType): SqlQuery {
  checkDecimalType(type.precision, type.scale);
  return new SqlQuery(`cast(cast(${value} as varchar) as ${decimalSql(type)})`);
}

/** `expression` as an operand: a column name or number as it is, anything else in parentheses. */
function operand(expression: string): string {
  return /^[\w.]+$/.test(expression.trim()) ? expression.trim() : `(${expression})`;
}

function decimalSql({ precision, scale }: DecimalType): string {
  return `decimal(${precision}, ${scale})`;
}

/** The literal 10^-scale (`0.01` for 2), or 1. */
function unit(scale: number): string {
  return scale === 0 ? '1' : `0.${'0'.repeat(scale - 1)}1`;
}
