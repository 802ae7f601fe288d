import { ShopflowError } from '../../framework/errors/error-catalog.js';

/** The top-level folder where stores keep earlier versions and manifests; no key may start with it. */
export const VERSIONS_ROOT = '_versions';

/** Segment endings reserved for sidecar paths (`<key>.versions/<id>`, `<key>.manifest.json`). */
const RESERVED_SUFFIXES = ['.versions', '.manifest.json'];

const EXAMPLE_KEY = 'raw/year=2024/month=01/day=15/customers/customers.csv';
const MAX_KEY_BYTES = 1024;

function invalid(what: string, value: string, problem: string): ShopflowError {
  return new ShopflowError('SF_INPUT_INVALID', `object ${what} \`${value}\` ${problem}`, {
    hint: `use slash-separated segments like \`${EXAMPLE_KEY}\``,
  });
}

function checkSegments(what: string, value: string, segments: string[]): void {
  for (const segment of segments) {
    if (segment === '') throw invalid(what, value, 'has an empty segment (`//` or a trailing `/`)');
    if (segment === '.' || segment === '..') throw invalid(what, value, `has a \`${segment}\` segment`);
    const suffix = RESERVED_SUFFIXES.find((s) => segment.endsWith(s));
    if (suffix)
      throw invalid(what, value, `has a segment ending in \`${suffix}\`, which is reserved for versions`);
  }
  if (segments[0] === VERSIONS_ROOT) {
    throw invalid(what, value, `starts with \`${VERSIONS_ROOT}/\`, the folder reserved for versions`);
  }
}

function checkCharacters(what: string, value: string): void {
  if (value.startsWith('/')) throw invalid(what, value, 'starts with `/`; keys are relative');
  if (value.includes('\\')) throw invalid(what, value, 'contains `\\`; use `/` between segments');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this rejects
  if (/[\u0000-\u001f\u007f]/.test(value)) throw invalid(what, value, 'contains a control character');
  if (Buffer.byteLength(value) > MAX_KEY_BYTES)
    throw invalid(what, value, `is longer than ${MAX_KEY_BYTES} bytes`);
}

/**
 * Throws `SF_INPUT_INVALID` unless `key` is a valid object key: relative, `/`-separated, no empty,
 * `.` or `..` segments, not inside the reserved `_versions/` folder.
 *
 * @example
 * validateObjectKey('raw/year=2024/month=01/day=15/customers/customers.csv'); // ok
 * validateObjectKey('../etc/passwd'); // throws SF_INPUT_INVALID
 */
export function validateObjectKey(key: string): string {
  if (typeof key !== 'string' || key === '') {
    throw new ShopflowError('SF_INPUT_INVALID', `object key ${JSON.stringify(key)} is empty`, {
      hint: `use slash-separated segments like \`${EXAMPLE_KEY}\``,
    });
  }
  checkCharacters('key', key);
  checkSegments('key', key, key.split('/'));
  return key;
}

/**
 * Throws `SF_INPUT_INVALID` unless `prefix` is a valid listing prefix: empty (everything) or the
 * start of a key; it may end with `/` or in the middle of a segment.
 *
 * @example
 * validateObjectPrefix('raw/year=2024/'); // ok
 * validateObjectPrefix('raw//'); // throws SF_INPUT_INVALID
 */
export function validateObjectPrefix(prefix: string): string {
  if (typeof prefix !== 'string') {
    throw new ShopflowError('SF_INPUT_INVALID', `object prefix ${JSON.stringify(prefix)} is not a string`);
  }
  if (prefix === '') return prefix;
  checkCharacters('prefix', prefix);
  const segments = prefix.split('/');
  // NOTE: a trailing `/` leaves an empty last segment, and a partial last segment may not be a
  // whole reserved name yet; only the complete segments are checked.
  checkSegments('prefix', prefix, segments.slice(0, -1));
  const last = segments.at(-1)!;
  if (last === '..') throw invalid('prefix', prefix, 'has a `..` segment');
  return prefix;
}

/** The path of the manifest that lists the versions of `key`. */
export function manifestPath(key: string): string {
  return `${VERSIONS_ROOT}/${key}.manifest.json`;
}

/** The folder that holds the earlier versions of `key` (with a trailing `/`). */
export function versionsFolder(key: string): string {
  return `${VERSIONS_ROOT}/${key}.versions/`;
}

/** Whether a stored path belongs to the versions tree rather than being a user key. */
export function isVersionsPath(path: string): boolean {
  return path === VERSIONS_ROOT || path.startsWith(`${VERSIONS_ROOT}/`);
}
