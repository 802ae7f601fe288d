import type { z } from 'zod';
import { didYouMean } from '../errors/did-you-mean.js';
import { ShopflowError } from '../errors/error-catalog.js';
import { redactSecrets } from '../logging/redact-secrets.js';
import { formatConfigPath } from './format-config-path.js';

/** One invalid field, described for a person. */
export interface ConfigProblem {
  /** Dotted field path, e.g. `executor.concurrency`. */
  path: string;
  /** `file:line:column` when known, else the file. */
  location: string;
  /** The bad value as written (JSON-quoted, secrets redacted); absent when the field is missing. */
  value?: string;
  /** What is wrong, e.g. `is 0, expected a number >= 1`. */
  problem: string;
  /** How to fix it. */
  fix: string;
  /** The environment variables the bad value came from: the fix is made there, not in the file. */
  variables?: string[];
}

export interface ConfigValidationErrorOptions {
  /** The file the validated value came from, as shown to the user. */
  file: string;
  issues: readonly z.core.$ZodIssue[];
  /** The value that failed validation. */
  input: unknown;
  /** The schema it failed, used to suggest field names. */
  schema: z.ZodType;
  /** Where `input` sits inside the file, e.g. `['resources', 'postgres']`. */
  prefix?: readonly PropertyKey[];
  /** `file:line:column` of a full field path. */
  locate?: (path: readonly PropertyKey[]) => string;
  /** Strings to redact from quoted values. */
  secrets?: readonly string[];
  /** The environment variables a field's value came from, by dotted path (see `interpolateEnv`). */
  fromEnvironment?: Readonly<Record<string, readonly string[]>>;
}

interface LooseDef {
  type: string;
  [key: string]: unknown;
}

const defOf = (schema: unknown): LooseDef => (schema as { _zod: { def: LooseDef } })._zod.def;

const TYPE_NAMES: Record<string, string> = {
  int: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: '`true` or `false`',
  object: 'a mapping of `key: value` lines',
  record: 'a mapping of `key: value` lines',
  array: 'a list',
  null: 'nothing',
};

function quote(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}

function showValue(value: unknown, secrets: readonly string[]): string {
  if (value === null) return 'empty';
  const shown = typeof value === 'string' || typeof value === 'object' ? quote(value) : String(value);
  // NOTE: redacted before clipping, so a cut cannot leave the head of a secret unrecognisable.
  const redacted = redactSecrets(shown, secrets);
  return redacted.length > 80 ? `${redacted.slice(0, 77)}…` : redacted;
}

function bound(
  issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig,
  smaller: boolean,
  integer: boolean,
): string {
  const limit = 'minimum' in issue ? issue.minimum : issue.maximum;
  const op = smaller ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
  const count = smaller ? 'at least' : 'at most';
  switch (issue.origin) {
    case 'string':
      return smaller && Number(limit) === 1
        ? 'a non-empty string'
        : `a string of ${count} ${limit} characters`;
    case 'array':
    case 'set':
      return `a list of ${count} ${limit} items`;
    default:
      return `${integer ? 'an integer' : 'a number'} ${op} ${limit}`;
  }
}

function expectation(issue: z.core.$ZodIssue, integer: boolean): string {
  switch (issue.code) {
    case 'invalid_type':
      return TYPE_NAMES[issue.expected] ?? `a ${issue.expected}`;
    case 'too_small':
      return bound(issue, true, integer);
    case 'too_big':
      return bound(issue, false, integer);
    case 'invalid_value':
      return issue.values.length === 1
        ? quote(issue.values[0])
        : `one of ${issue.values.map(quote).join(', ')}`;
    case 'invalid_union':
      if ('options' in issue && issue.options && issue.options.length > 0) {
        return issue.options.length === 1
          ? quote(issue.options[0])
          : `one of ${issue.options.map(quote).join(', ')}`;
      }
      return `one of the allowed forms (${issue.message})`;
    case 'invalid_format':
      if (issue.format === 'url') return 'a URL such as `https://host:port`';
      if (issue.format === 'regex' && 'pattern' in issue) return `text matching \`${String(issue.pattern)}\``;
      return `a valid ${issue.format}`;
    case 'not_multiple_of':
      return `a multiple of ${issue.divisor}`;
    default:
      return issue.message.startsWith('expected ')
        ? issue.message.slice('expected '.length)
        : 'a valid value';
  }
}

/** Steps through optional/default/pipe wrappers and picks the union option that matches `value`. */
function unwrap(schema: unknown, value: unknown): unknown {
  let node = schema;
  for (;;) {
    const def = defOf(node);
    if ('innerType' in def) node = def.innerType;
    else if (def.type === 'pipe') node = defOf(def.in).type === 'transform' ? def.out : def.in;
    else if (def.type === 'union') {
      const options = def.options as unknown[];
      const discriminator = def.discriminator as string | undefined;
      const current = valueAt(value, discriminator ? [discriminator] : []);
      const match = options.find((option) => {
        const shape = defOf(option).shape as Record<string, z.ZodType> | undefined;
        return discriminator && shape?.[discriminator]?.safeParse(current).success;
      });
      if (!match) return node;
      node = match;
    } else return node;
  }
}

/** The (unwrapped) schema that validates the value at `path`, if the path leads anywhere. */
function schemaAt(schema: unknown, path: readonly PropertyKey[], input: unknown): unknown {
  let node = unwrap(schema, input);
  for (let i = 0; i < path.length; i++) {
    const def = defOf(node);
    if (def.type === 'object') node = (def.shape as Record<PropertyKey, unknown>)[path[i]];
    else if (def.type === 'record') node = def.valueType;
    else if (def.type === 'array') node = def.element;
    else return undefined;
    if (node === undefined) return undefined;
    node = unwrap(node, valueAt(input, path.slice(0, i + 1)));
  }
  return node;
}

/** The field names an object schema allows at `path`, for "did you mean" hints. */
function knownKeys(schema: unknown, path: readonly PropertyKey[], input: unknown): string[] {
  const node = schemaAt(schema, path, input);
  const def = node === undefined ? undefined : defOf(node);
  return def?.type === 'object' ? Object.keys(def.shape as object) : [];
}

/** Whether the schema at `path` only accepts integers (`z.int()`, `z.number().int()`). */
function isInteger(schema: unknown, path: readonly PropertyKey[], input: unknown): boolean {
  const node = schemaAt(schema, path, input);
  if (node === undefined) return false;
  const def = defOf(node);
  const formats = [def, ...((def.checks as unknown[] | undefined) ?? []).map(defOf)];
  return formats.some((entry) => entry.check === 'number_format' && /int/.test(String(entry.format)));
}

// NOTE: zod's own messages ("Invalid input: …", "Too small: …") are replaced by our wording; a
// message written by a schema's author (`.min(1, 'must not be empty')`) says more and is kept.
function hasAuthorMessage(issue: z.core.$ZodIssue): boolean {
  return !/^(Invalid|Too (small|big)|Unrecognized|Expected|expected )/.test(issue.message);
}

function describeIssue(issue: z.core.$ZodIssue, options: ConfigValidationErrorOptions): ConfigProblem[] {
  const prefix = options.prefix ?? [];
  const secrets = options.secrets ?? [];
  const locate = options.locate ?? (() => options.file);
  const where = (full: PropertyKey[]) => {
    const path = formatConfigPath(full);
    const variables = options.fromEnvironment?.[path];
    const named = variables?.length
      ? `the environment variable${variables.length > 1 ? 's' : ''} ${variables.join(', ')}`
      : undefined;
    return {
      path,
      location: `${locate(full)}${named ? `, from ${named}` : ''}`,
      variables: [...(variables ?? [])],
      named,
    };
  };

  if (issue.code === 'unrecognized_keys') {
    const parentPath = [...prefix, ...issue.path];
    const scope = parentPath.length > 0 ? `in \`${formatConfigPath(parentPath)}\`` : 'at the top level';
    const known = knownKeys(options.schema, issue.path, options.input);
    return issue.keys.map((key) => {
      const suggestion = didYouMean(key, known);
      const allowed = known.map((name) => `\`${name}\``).join(', ');
      const { path, location } = where([...prefix, ...issue.path, key]);
      return {
        path,
        location,
        problem: 'is not a known field',
        fix: suggestion
          ? `rename it (${suggestion})`
          : known.length > 0
            ? `remove it; the fields allowed ${scope} are ${allowed}`
            : 'remove it',
      };
    });
  }

  const full = [...prefix, ...issue.path];
  const { path, location, variables, named } = where(full);
  // NOTE: a value taken from the environment is fixed there; editing the file would not change it.
  const fromEnv = named ? { variables } : {};
  const value = valueAt(options.input, issue.path);
  const expected = expectation(issue, isInteger(options.schema, issue.path, options.input));
  if (value === undefined) {
    const key = full.length > 0 ? String(full[full.length - 1]) : '';
    const parent = full.length > 1 ? `under \`${formatConfigPath(full.slice(0, -1))}\`` : 'at the top level';
    return [
      { path, location, problem: `is missing, expected ${expected}`, fix: `add \`${key}: …\` ${parent}` },
    ];
  }

  const shown = showValue(value, secrets);
  const allowed =
    issue.code === 'invalid_value'
      ? issue.values.map(String)
      : issue.code === 'invalid_union' && 'options' in issue
        ? (issue.options ?? []).map(String)
        : [];
  const suggestion = typeof value === 'string' ? didYouMean(value, allowed) : undefined;
  if (hasAuthorMessage(issue)) {
    return [
      {
        path,
        location,
        value: shown,
        problem: `is ${shown}: ${issue.message}`,
        fix: named ? `correct ${named}` : `correct \`${path}\``,
        ...fromEnv,
      },
    ];
  }
  return [
    {
      path,
      location,
      value: shown,
      problem: `is ${shown}, expected ${expected}`,
      fix: `set ${named ?? `\`${path}\``} to ${expected}${suggestion ? ` (${suggestion})` : ''}`,
      ...fromEnv,
    },
  ];
}

/**
 * Turns zod issues into one `SF_CONFIG_INVALID` error that, for every invalid field, names the file
 * (with line and column when known), the field path, the bad value (quoted, secrets redacted), what
 * was expected and the fix. `details.problems` holds the same as data.
 *
 * @example
 * const result = schema.safeParse(input);
 * if (!result.success) throw configValidationError({ file: 'config/dev.yaml', issues: result.error.issues, input, schema });
 */
export function configValidationError(options: ConfigValidationErrorOptions): ShopflowError {
  const problems = options.issues.flatMap((issue) => describeIssue(issue, options));
  const details = { file: options.file, problems };
  if (problems.length === 1) {
    const [only] = problems;
    return new ShopflowError(
      'SF_CONFIG_INVALID',
      `invalid configuration at ${only.location}: \`${only.path}\` ${only.problem}`,
      { hint: `fix: ${only.fix}${only.variables ? '' : ` in ${options.file}`}`, details },
    );
  }
  const lines = problems.map(
    (problem) => `  - ${problem.location}: \`${problem.path}\` ${problem.problem}; fix: ${problem.fix}`,
  );
  return new ShopflowError(
    'SF_CONFIG_INVALID',
    `invalid configuration in ${options.file} (${problems.length} problems):\n${lines.join('\n')}`,
    { details },
  );
}
