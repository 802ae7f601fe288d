import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether `given` equals `expected`, in time that does not depend on where they differ (both are
 * hashed first, so their lengths leak nothing either).
 *
 * @example
 * tokenMatches(process.env.SHOPFLOW_UI_TOKEN!, bearerToken) // true or false
 */
export function tokenMatches(expected: string, given: string): boolean {
  const a = createHash('sha256').update(expected, 'utf8').digest();
  const b = createHash('sha256').update(given, 'utf8').digest();
  return timingSafeEqual(a, b);
}
