import { ShopflowError } from '../errors/error-catalog.js';
import { findUrlPasswords } from '../logging/redact-secrets.js';
import { formatConfigPath } from './format-config-path.js';

/** Variable names whose values are treated as secrets. */
// NOTE: webhook URLs (Slack and the like) carry their own credential in the path.
const SECRET_NAME = /PASSWORD|SECRET|TOKEN|KEY|CREDENTIAL|WEBHOOK/i;
const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

export interface InterpolateEnvOptions {
  /** The variables to substitute (usually `.env` merged under `process.env`). */
  environment: Record<string, string | undefined>;
  /** The file the values came from, as shown in errors. */
  file: string;
  /** Where a field was written (`file:line:column`), for errors; defaults to `file`. */
  locate?: (path: readonly PropertyKey[]) => string;
}

export interface InterpolatedValue {
  /** The input with every `${…}` reference replaced. */
  value: unknown;
  /**
   * Strings that must never be shown: values of variables named like a password, secret, token, key
   * or credential, and the passwords of URLs with credentials.
   */
  secrets: string[];
  /**
   * The environment variables each field's value was taken from, by dotted field path
   * (`executor.concurrency` → `['SHOPFLOW_CONCURRENCY']`): a bad value is then traced to them.
   */
  fromEnvironment: Record<string, string[]>;
}

interface MissingVariable {
  name: string;
  paths: string[];
  locations: string[];
  empty: boolean;
}

/**
 * Substitutes environment variables in every string of a parsed YAML value:
 * `${VAR}` (required; unset or empty is a `SF_CONFIG_MISSING_ENV` naming the variable, the file and
 * the field), `${VAR:-default}` (the default when unset or empty) and `$${` for a literal `${`.
 * Keys are not interpolated, only values.
 *
 * @example
 * interpolateEnv({ url: '${DATABASE_URL}', bucket: '${BUCKET:-shop}' }, {
 *   environment: { DATABASE_URL: 'postgres://app:pw@db/shop' },
 *   file: 'config/prod.yaml',
 * });
 * // { value: { url: 'postgres://app:pw@db/shop', bucket: 'shop' }, secrets: ['pw'] }
 */
export function interpolateEnv(value: unknown, options: InterpolateEnvOptions): InterpolatedValue {
  const locate = options.locate ?? (() => options.file);
  const secrets = new Set<string>();
  const missing = new Map<string, MissingVariable>();
  const fromEnvironment: Record<string, string[]> = {};

  const interpolateString = (text: string, path: PropertyKey[]): string => {
    let out = '';
    let index = 0;
    while (index < text.length) {
      if (text.startsWith('$${', index)) {
        out += '${';
        index += 3;
        continue;
      }
      if (!text.startsWith('${', index)) {
        out += text[index];
        index += 1;
        continue;
      }
      const end = text.indexOf('}', index + 2);
      const body = end < 0 ? undefined : text.slice(index + 2, end);
      const match = body === undefined || body.includes('${') ? null : REFERENCE.exec(body);
      if (!match) {
        const shown = end < 0 ? text.slice(index) : text.slice(index, end + 1);
        throw new ShopflowError(
          'SF_CONFIG_INVALID',
          `invalid variable reference \`${shown}\` in \`${formatConfigPath(path)}\` at ${locate(path)}`,
          {
            // biome-ignore lint/suspicious/noTemplateCurlyInString: the hint spells out the `${NAME}` syntax.
            hint: 'fix: write `${NAME}` or `${NAME:-default}` (NAME is letters, digits and `_`, no nesting), or `$${` for a literal `${`',
            details: { file: options.file, path: formatConfigPath(path) },
          },
        );
      }
      const [, name, fallback] = match;
      const current = options.environment[name];
      const isSet = current !== undefined && current !== '';
      let substituted: string;
      if (isSet) {
        substituted = current;
        const field = formatConfigPath(path);
        fromEnvironment[field] = [...new Set([...(fromEnvironment[field] ?? []), name])];
      } else if (fallback !== undefined) {
        substituted = fallback;
      } else {
        const entry = missing.get(name) ?? { name, paths: [], locations: [], empty: current === '' };
        entry.paths.push(formatConfigPath(path));
        entry.locations.push(locate(path));
        missing.set(name, entry);
        substituted = '';
      }
      if (SECRET_NAME.test(name) && substituted !== '') secrets.add(substituted);
      out += substituted;
      index = end + 1;
    }
    for (const password of findUrlPasswords(out)) secrets.add(password);
    return out;
  };

  const visit = (node: unknown, path: PropertyKey[]): unknown => {
    if (typeof node === 'string') return interpolateString(node, path);
    if (Array.isArray(node)) return node.map((item, i) => visit(item, [...path, i]));
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(
        Object.entries(node).map(([key, item]) => [key, visit(item, [...path, key])]),
      );
    }
    return node;
  };

  const result = visit(value, []);
  if (missing.size > 0) throw missingVariablesError([...missing.values()], options.file);
  return { value: result, secrets: [...secrets], fromEnvironment };
}

function missingVariablesError(missing: MissingVariable[], file: string): ShopflowError {
  const names = missing.map((variable) => variable.name);
  const describe = (variable: MissingVariable) =>
    variable.paths.map((path, i) => `\`${path}\` (${variable.locations[i]})`).join(', ');
  const message =
    missing.length === 1
      ? `environment variable ${names[0]} ${missing[0].empty ? 'is empty' : 'is not set'}; ${file} needs it for ${describe(missing[0])}`
      : `${file} needs ${missing.length} environment variables that are not set or empty:\n${missing
          .map((variable) => `  - ${variable.name} for ${describe(variable)}`)
          .join('\n')}`;
  return new ShopflowError('SF_CONFIG_MISSING_ENV', message, {
    hint: `fix: export ${names.map((name) => `${name}=…`).join(' ')} or add ${names.length === 1 ? 'it' : 'them'} to .env (see .env.example)`,
    details: { file, variables: names, fields: missing.flatMap((variable) => variable.paths) },
  });
}
