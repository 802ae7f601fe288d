import { globalRegistry, z } from 'zod';
import { ShopflowError } from '../errors/error-catalog.js';

/** Precision (total digits) and scale (digits after the point) of a fixed-point decimal column. */
export interface DecimalType {
  precision: number;
  scale: number;
}

/** DuckDB and Parquet store decimals of up to 38 digits. */
const MAX_PRECISION = 38;

/** Throws `SF_INVALID_ASSET` naming the bad value unless 1 ≤ precision ≤ 38 and 0 ≤ scale ≤ precision. */
export function checkDecimalType(precision: number, scale: number): void {
  const type = `decimal(${precision}, ${scale})`;
  if (!Number.isInteger(precision) || precision < 1 || precision > MAX_PRECISION) {
    throw new ShopflowError('SF_INVALID_ASSET', `${type} has precision ${precision}`, {
      hint: `use a whole number of digits from 1 to ${MAX_PRECISION}, e.g. decimal(18, 2) for money`,
    });
  }
  if (!Number.isInteger(scale) || scale < 0 || scale > precision) {
    throw new ShopflowError('SF_INVALID_ASSET', `${type} has scale ${scale}`, {
      hint: `use a whole number of decimal places from 0 to the precision ${precision}`,
    });
  }
}

/** Whether `value` has at most `scale` decimals and fewer than `precision - scale` integer digits. */
function fits(value: number, { precision, scale }: DecimalType): boolean {
  if (!Number.isFinite(value) || Math.abs(value) >= 10 ** (precision - scale)) return false;
  // NOTE: a binary double is "exactly n decimals" when printing it with n decimals reads it back.
  return Number(value.toFixed(scale)) === value;
}

/**
 * A fixed-point decimal column, e.g. money: `decimal(18, 2)` stores up to 16 integer digits and 2
 * decimals exactly. The lake stores it as `DECIMAL(18,2)` (Parquet DECIMAL), PostgreSQL as
 * `numeric(18,2)`, and the data dictionary, the web page and the stored-type checks show and
 * compare that type. Rows returned as objects must hold numbers with at most `scale` decimals.
 * Chain `.describe()`, `.nullable()` and `.meta()` as on any zod schema.
 *
 * @example
 * schema: z.object({ unit_price: decimal(12, 2).describe('Price per unit paid, EUR') })
 */
export function decimal(precision: number, scale: number): z.ZodNumber {
  checkDecimalType(precision, scale);
  const type: DecimalType = { precision, scale };
  return z
    .number()
    .refine((value) => fits(value, type), {
      message: `expected a number that fits DECIMAL(${precision},${scale}): at most ${scale} decimals and ${precision - scale} integer digits`,
    })
    .meta({ decimal: type });
}

/**
 * The precision and scale of a column declared with {@link decimal} (after `.nullable()`,
 * `.optional()` or `.describe()`), or undefined for any other column.
 *
 * @example
 * decimalTypeOf(decimal(12, 2).nullable()); // { precision: 12, scale: 2 }
 */
export function decimalTypeOf(field: z.ZodType): DecimalType | undefined {
  let current: any = field;
  while (current) {
    const meta = globalRegistry.get(current) as { decimal?: DecimalType } | undefined;
    if (meta?.decimal) return meta.decimal;
    current = current._zod.def.innerType;
  }
  return undefined;
}
