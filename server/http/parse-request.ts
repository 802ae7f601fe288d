import { z } from 'zod';
import { ShopflowError } from '../../framework/index.js';

const WHERE = { query: 'query parameter', body: 'body field', params: 'path parameter' } as const;

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/**
 * Validates a request part with a zod schema; the first problem becomes an `SF_BAD_USAGE` error that
 * names the field and quotes the value that was sent.
 *
 * @example
 * const { limit } = parseRequest(z.strictObject({ limit: integerParam(1, 500).optional() }), request.query, 'query');
 */
export function parseRequest<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: keyof typeof WHERE,
): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `\`${k}\``).join(', ');
    throw new ShopflowError(
      'SF_BAD_USAGE',
      `unknown ${WHERE[where]}${issue.keys.length > 1 ? 's' : ''} ${keys}`,
      {
        hint: `accepted: ${Object.keys((schema as unknown as z.ZodObject).shape ?? {}).join(', ') || 'none'}`,
      },
    );
  }
  const field = issue.path.map(String).join('.');
  const sent = valueAt(value, issue.path);
  const quoted = sent === undefined ? 'is missing' : `is ${JSON.stringify(sent)}`;
  const subject = field ? `${WHERE[where]} \`${field}\` ${quoted}` : `the request ${where} ${quoted}`;
  throw new ShopflowError('SF_BAD_USAGE', `${subject}: ${issue.message}`);
}

/**
 * A query-string integer in `[min, max]`, e.g. `?limit=50`.
 *
 * @example
 * z.strictObject({ depth: integerParam(0, 50).optional() })
 */
export function integerParam(min: number, max: number) {
  return z
    .string()
    .regex(/^\d+$/, { error: `expected a whole number from ${min} to ${max}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, { error: `expected at least ${min}` })
        .max(max, { error: `expected at most ${max}` }),
    );
}
