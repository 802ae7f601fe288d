import type { z } from 'zod';
import {
  type DecimalType,
  decimal,
  decimalQuotient,
  decimalRound,
  type SqlQuery,
} from '../framework/index.js';

/**
 * ShopFlow's money rule, in one place. Amounts are EUR stored exactly as fixed-point decimals:
 * sums and amounts as `DECIMAL(18,2)`, unit and list prices as `DECIMAL(12,2)` (PostgreSQL:
 * `numeric`). Money is never divided or rounded in floating point: a division (an average) is done
 * on whole cents in integer arithmetic and rounded half away from zero (19.99 / 2 = 10.00,
 * −0.05 / 2 = −0.03), a model estimate computed in DOUBLE is rounded to the cent once, at the end.
 * The same SQL runs on DuckDB and PostgreSQL (`sql/analytics/basic_analytics.sql` carries it too).
 */
export const MONEY: DecimalType = Object.freeze({ precision: 18, scale: 2 });

/** Unit and list prices: `DECIMAL(12,2)`, as the source extract and `shopflow.products` hold them. */
export const PRICE: DecimalType = Object.freeze({ precision: 12, scale: 2 });

/**
 * A money column: EUR, `DECIMAL(18,2)`.
 *
 * @example
 * revenue: money().describe('Sum of quantity × unit price, EUR')
 */
export function money(): z.ZodNumber {
  return decimal(MONEY.precision, MONEY.scale);
}

/**
 * A unit or list price column: EUR, `DECIMAL(12,2)`.
 *
 * @example
 * unit_price: price().describe('Price per unit paid, EUR')
 */
export function price(): z.ZodNumber {
  return decimal(PRICE.precision, PRICE.scale);
}

/**
 * SQL for the average of a money total over a count, e.g. an average order value: `total / count`
 * on whole cents, rounded half away from zero, as `DECIMAL(18,2)`; NULL for a zero count.
 *
 * @example
 * sql`select ${moneyAverage('sum(amount)', 'count(*)')} as average_order_value from …`
 */
export function moneyAverage(total: string, count: string): SqlQuery {
  return decimalQuotient(total, count, MONEY);
}

/**
 * SQL rounding a money value to the cent as `DECIMAL(18,2)`, half away from zero, the same on
 * DuckDB and PostgreSQL: exact for decimals, and for a DOUBLE estimate (a predicted CLV) at the
 * decimal digits it prints as.
 *
 * @example
 * sql`select ${moneyRound('predicted_clv')} as predicted_clv from …`
 */
export function moneyRound(value: string): SqlQuery {
  return decimalRound(value, MONEY);
}
