import { ShopflowError } from '../errors/error-catalog.js';

/**
 * A whole-number flag value (`--limit 50`), at least `min`; anything else is a `SF_BAD_USAGE`
 * naming the flag and the value.
 *
 * @example
 * integerOption('--limit', '50', 0); // 50
 */
export function integerOption(flag: string, text: string, min: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < min) {
    throw new ShopflowError(
      'SF_BAD_USAGE',
      `${flag} ${text} is not ${min === 0 ? 'a non-negative integer' : `an integer of at least ${min}`}`,
      { hint: `e.g. ${flag} 50` },
    );
  }
  return value;
}
