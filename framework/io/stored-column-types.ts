import type { ColumnInfo } from './schema-columns.js';

/** A column as a table stores it: its name and DuckDB type (e.g. from `DESCRIBE`). */
export interface StoredColumn {
  name: string;
  type: string;
}

/** A declared column whose stored type differs (`stored` null: the column is not stored at all). */
export interface StoredTypeMismatch {
  column: string;
  declared: string;
  stored: string | null;
}

// NOTE: `z.int()` declares a safe integer without a width, so any integer type up to 64 bits
// satisfies it; HUGEINT and UBIGINT can hold values a safe integer cannot (DuckDB sums integers
// into HUGEINT), so they do not.
const INTEGER_TYPES = new Set([
  'TINYINT',
  'SMALLINT',
  'INTEGER',
  'BIGINT',
  'UTINYINT',
  'USMALLINT',
  'UINTEGER',
]);

const SYNONYMS: Record<string, string> = {
  'TIMESTAMP WITH TIME ZONE': 'TIMESTAMPTZ',
  INT: 'INTEGER',
  INT4: 'INTEGER',
  INT8: 'BIGINT',
  INT2: 'SMALLINT',
  FLOAT8: 'DOUBLE',
  TEXT: 'VARCHAR',
  STRING: 'VARCHAR',
  BOOL: 'BOOLEAN',
};

function normalize(type: string): string {
  const upper = type
    .trim()
    .toUpperCase()
    .replace(/\s*,\s*/g, ',')
    .replace(/\s*\(\s*/g, '(');
  return SYNONYMS[upper] ?? upper;
}

/**
 * Whether a column stored as `stored` (a DuckDB type name) holds what a column declared as
 * `declared` ({@link ColumnInfo.type}) promises: the same type, where `DECIMAL(p,s)` must match in
 * precision and scale; a declared `BIGINT` (`z.int()`) accepts any integer type up to 64 bits; a
 * declared `JSON` (a schema with no column type) accepts anything; arrays compare their elements.
 *
 * @example
 * storedTypeSatisfies('DECIMAL(18,2)', 'DECIMAL(18,2)'); // true
 * storedTypeSatisfies('DECIMAL(18,2)', 'DOUBLE'); // false
 * storedTypeSatisfies('BIGINT', 'INTEGER'); // true
 */
export function storedTypeSatisfies(declared: string, stored: string): boolean {
  const want = normalize(declared);
  const have = normalize(stored);
  if (want === 'JSON') return true;
  if (want.endsWith('[]'))
    return have.endsWith('[]') && storedTypeSatisfies(want.slice(0, -2), have.slice(0, -2));
  if (want === 'BIGINT') return INTEGER_TYPES.has(have);
  return want === have;
}

/**
 * The declared columns whose stored type does not satisfy the declared one, or that are not
 * stored; columns stored but not declared are not reported (a table may hold more).
 *
 * @example
 * storedTypeMismatches(schemaColumns(schema), [{ name: 'amount', type: 'DOUBLE' }]);
 * // [{ column: 'amount', declared: 'DECIMAL(18,2)', stored: 'DOUBLE' }]
 */
export function storedTypeMismatches(declared: ColumnInfo[], stored: StoredColumn[]): StoredTypeMismatch[] {
  const types = new Map(stored.map((c) => [c.name, c.type]));
  const mismatches: StoredTypeMismatch[] = [];
  for (const column of declared) {
    const type = types.get(column.name);
    if (type === undefined) mismatches.push({ column: column.name, declared: column.type, stored: null });
    else if (!storedTypeSatisfies(column.type, type))
      mismatches.push({ column: column.name, declared: column.type, stored: type });
  }
  return mismatches;
}
