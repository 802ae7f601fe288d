import type { z } from 'zod';
import { schemaColumns } from '../io/schema-columns.js';

/**
 * How sensitive a column's values are:
 * - `pii`: personal data (declared with `.meta({ pii: true })` on the schema column); shown masked
 *   wherever data leaves the store for people (web preview, `shopflow show`, quality report);
 * - `none`: nothing to hide.
 */
export type ColumnClass = 'pii' | 'none';

/** The class of every column of one asset, by column name. Columns it does not name are `none`. */
export type ColumnClassification = ReadonlyMap<string, ColumnClass>;

/**
 * The classification of an asset's columns, read from its zod schema's metadata. This is the one
 * place that decides which columns are sensitive; every masking caller goes through it.
 *
 * @example
 * const classes = classifyColumns(silverCustomers.schema);
 * classes.get('email'); // 'pii'
 */
export function classifyColumns(schema: z.ZodObject): ColumnClassification {
  return new Map(schemaColumns(schema).map((c): [string, ColumnClass] => [c.name, c.pii ? 'pii' : 'none']));
}

/**
 * The names of the columns whose values must be masked, in schema order.
 *
 * @example
 * sensitiveColumns(classifyColumns(silverCustomers.schema)); // ['name', 'email']
 */
export function sensitiveColumns(classification: ColumnClassification): string[] {
  return [...classification].filter(([, cls]) => cls !== 'none').map(([name]) => name);
}
