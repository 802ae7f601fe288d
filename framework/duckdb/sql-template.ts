/**
 * SQL text built with the {@link sql} tagged template. Interpolated values become literals, nested
 * queries and input handles become fragments, so asset code never concatenates strings by hand.
 */
export class SqlQuery {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** Anything that renders itself as a SQL fragment (input handles do). */
export interface SqlFragment {
  toSql(): string;
}

function isFragment(value: unknown): value is SqlFragment {
  return typeof value === 'object' && value !== null && typeof (value as SqlFragment).toSql === 'function';
}

/** Quotes a string as a SQL string literal. */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Quotes a name as a SQL identifier. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Renders one interpolated value as SQL. */
export function renderValue(value: unknown): string {
  if (value instanceof SqlQuery) return value.text;
  if (isFragment(value)) return value.toSql();
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`cannot use ${value} in SQL`);
    return String(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return `TIMESTAMPTZ ${quoteLiteral(value.toISOString())}`;
  if (Array.isArray(value)) return `[${value.map(renderValue).join(', ')}]`;
  if (typeof value === 'string') return quoteLiteral(value);
  throw new TypeError(`cannot use a value of type ${typeof value} in SQL`);
}

/**
 * Builds a {@link SqlQuery}. Values become literals; `SqlQuery`s and input handles are inlined.
 *
 * @example
 * sql`select * from ${deps.raw} where country = ${'DE'}`
 */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): SqlQuery {
  let text = strings[0];
  for (let i = 0; i < values.length; i++) text += renderValue(values[i]) + strings[i + 1];
  return new SqlQuery(text);
}

/** Inlines `text` as it is: for identifiers and fragments that are not user input. */
sql.raw = (text: string): SqlQuery => new SqlQuery(text);
/** A quoted identifier. */
sql.id = (name: string): SqlQuery => new SqlQuery(quoteIdentifier(name));
