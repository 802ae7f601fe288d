import { readFileSync } from 'node:fs';
import { ShopflowError } from '../errors/error-catalog.js';

const LINE = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/;

function unquote(raw: string): string | undefined {
  if (raw.startsWith("'")) {
    const end = raw.indexOf("'", 1);
    return end > 0 && /^\s*(#.*)?$/.test(raw.slice(end + 1)) ? raw.slice(1, end) : undefined;
  }
  if (raw.startsWith('"')) {
    const match = /^"((?:[^"\\]|\\.)*)"\s*(#.*)?$/.exec(raw);
    if (!match) return undefined;
    return match[1].replace(/\\(.)/g, (_, char: string) =>
      char === 'n' ? '\n' : char === 't' ? '\t' : char,
    );
  }
  // NOTE: an unquoted value ends at ` #`, so `KEY=abc # note` is `abc` while `KEY=a#b` keeps the `#`.
  return raw.replace(/\s+#.*$/, '').trim();
}

/**
 * Parses the text of a `.env` file: `NAME=value` lines (optionally prefixed by `export `), blank
 * lines and `#` comments; values may be single-quoted (literal) or double-quoted (`\n`, `\"`
 * escapes). A malformed line is a `SF_CONFIG_INVALID` naming the line (never its content, which
 * may hold a secret).
 *
 * @example
 * parseDotenv('# local\nDATABASE_URL=postgres://localhost/shop\n', '.env');
 * // { DATABASE_URL: 'postgres://localhost/shop' }
 */
export function parseDotenv(text: string, file: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  lines.forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const match = LINE.exec(trimmed);
    const value = match ? unquote(match[2]) : undefined;
    if (!match || value === undefined) {
      throw new ShopflowError('SF_CONFIG_INVALID', `${file}:${index + 1} is not a \`NAME=value\` line`, {
        hint: `fix: write one \`NAME=value\` per line in ${file} (names are letters, digits and \`_\`; close every quote; start comments with \`#\`)`,
        details: { file, line: index + 1 },
      });
    }
    values[match[1]] = value;
  });
  return values;
}

/**
 * Reads a `.env` file with {@link parseDotenv}; a missing file gives no variables.
 *
 * @example
 * const fromFile = readDotenv(join(cwd, '.env'), '.env');
 * const environment = { ...fromFile, ...process.env }; // real variables win
 */
export function readDotenv(path: string, displayName = path): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ShopflowError('SF_CONFIG_INVALID', `cannot read ${displayName}: ${(error as Error).message}`, {
      hint: `fix: make ${displayName} a readable file or remove it`,
      cause: error,
    });
  }
  return parseDotenv(text, displayName);
}
