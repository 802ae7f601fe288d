import { z } from 'zod';

// NOTE: values substituted from environment variables are strings; numeric and boolean fields accept
// their string forms (`"4"`, `"true"`) so `concurrency: ${SHOPFLOW_CONCURRENCY:-4}` works.
function fromNumericString(value: unknown): unknown {
  return typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
}

function fromBooleanString(value: unknown): unknown {
  return value === 'true' ? true : value === 'false' ? false : value;
}

/** An integer of at least `min` (also from its string form). */
export const intFrom = (min: number) => z.preprocess(fromNumericString, z.int().min(min));
/** A number of at least `min` (also from its string form). */
export const numberFrom = (min: number) => z.preprocess(fromNumericString, z.number().min(min));
/** A number above zero (also from its string form). */
export const positiveNumber = () => z.preprocess(fromNumericString, z.number().positive());
/** `true`/`false` (also `"true"`/`"false"`). */
export const booleanField = () => z.preprocess(fromBooleanString, z.boolean());
/** A non-empty string. */
export const textField = () => z.string().min(1);
