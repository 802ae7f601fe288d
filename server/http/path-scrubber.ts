import { homedir } from 'node:os';
import { isAbsolute, relative, resolve, sep } from 'node:path';

export type PathScrubber = (text: string) => string;

/** Characters a path segment is made of, as far as scrubbing cares. */
const SEGMENT = '[A-Za-z0-9._@+%=-]';
// NOTE: an absolute path not preceded by a character that would make it part of a URL (`host/x`),
// a date (`2024/01`) or a relative path (`a/b`), with at least two segments; `/api/…` is this
// server's own URL space, which messages quote on purpose. Scrubbed bodies are JSON text, where a
// line break before a path is the escape `\n`: that `n` starts a path as a space does.
const ABSOLUTE_PATH = new RegExp(
  String.raw`(?:(?<=\\[nrt])|(?<![\w.:/~>\\-]))/(?!api/)(?:${SEGMENT}+/)+${SEGMENT}*`,
  'g',
);
const FILE_URL = /file:\/\/(?=\/)/g;
const WINDOWS_PATH = /(?<![\w])[A-Za-z]:\\(?:[^\\\s'"`<>|:*?]+\\)*[^\\\s'"`<>|:*?]*/g;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Rewrites absolute paths of this machine in text shown to clients (error bodies, run events,
 * stack traces): a path inside the project folder becomes project-relative (`.shopflow/lake/…`), one
 * inside the ShopFlow home `<home>/…`, one inside the user's home folder `~/…`, and any other
 * absolute path keeps only its last segment (`…/file.parquet`). `file://` prefixes go too.
 *
 * @example
 * const scrub = createPathScrubber({ projectRoot: '/srv/shop', home: '/var/lib/shopflow' });
 * scrub('cannot read /srv/shop/.shopflow/lake/a.parquet'); // 'cannot read .shopflow/lake/a.parquet'
 * scrub('in /var/lib/shopflow/lake/x');                     // 'in <home>/lake/x'
 */
export function createPathScrubber(options: { projectRoot: string; home?: string }): PathScrubber {
  const roots: Array<{ path: string; label: string }> = [];
  const project = resolve(options.projectRoot);
  roots.push({ path: project, label: '' });
  if (options.home) {
    const home = resolve(options.home);
    const inside = relative(project, home);
    if (inside.startsWith('..') || isAbsolute(inside)) roots.push({ path: home, label: '<home>' });
  }
  const user = homedir();
  if (user && user !== sep) roots.push({ path: resolve(user), label: '~' });
  roots.sort((a, b) => b.path.length - a.path.length);
  const rootPatterns = roots.map((root) => ({
    pattern: new RegExp(`${escapeRegExp(root.path)}(?=$|[/\\\\'"\`\\s:),;\\]])([/\\\\])?`, 'g'),
    label: root.label,
  }));

  return (text: string) => {
    if (!text || (!text.includes('/') && !text.includes('\\'))) return text;
    let out = text.replace(FILE_URL, '');
    for (const { pattern, label } of rootPatterns) {
      out = out.replace(pattern, (_match, slash: string | undefined) =>
        label === '' ? (slash ? '' : '.') : `${label}${slash ?? ''}`,
      );
    }
    out = out.replace(ABSOLUTE_PATH, (path) => {
      const last = path.split('/').filter(Boolean).at(-1);
      return last ? `…/${last}` : '…/';
    });
    return out.replace(WINDOWS_PATH, (path) => `…\\${path.split('\\').filter(Boolean).at(-1) ?? ''}`);
  };
}

/**
 * Applies `scrub` to every string inside a JSON-like value (a new value; the input is unchanged).
 *
 * @example
 * scrubValue({ error: { message: 'at /srv/shop/x.ts' } }, scrub) // { error: { message: 'at x.ts' } }
 */
export function scrubValue<T>(value: T, scrub: PathScrubber): T {
  if (typeof value === 'string') return scrub(value) as T;
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, scrub)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubValue(v, scrub)])) as T;
  }
  return value;
}
