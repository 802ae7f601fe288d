import { storedTypesResult } from '../../checks/index.js';
import { type AssetCheck, defineCheck, ShopflowError, storedTypeMismatches } from '../../framework/index.js';
import { postgresWarehouse } from '../resources/postgres-warehouse.js';
import { PostgresTableInput } from './postgres-table-io.js';

/** A column of `information_schema.columns`. */
export interface PostgresColumn {
  column_name: string;
  data_type: string;
  udt_name: string;
  numeric_precision: number | null;
  numeric_scale: number | null;
}

const SCALARS: Record<string, string> = {
  smallint: 'SMALLINT',
  integer: 'INTEGER',
  bigint: 'BIGINT',
  'double precision': 'DOUBLE',
  real: 'FLOAT',
  text: 'VARCHAR',
  'character varying': 'VARCHAR',
  character: 'VARCHAR',
  date: 'DATE',
  'timestamp with time zone': 'TIMESTAMPTZ',
  'timestamp without time zone': 'TIMESTAMP',
  boolean: 'BOOLEAN',
  json: 'JSON',
  jsonb: 'JSON',
  // element types of arrays, by udt_name
  int2: 'SMALLINT',
  int4: 'INTEGER',
  int8: 'BIGINT',
  float8: 'DOUBLE',
  varchar: 'VARCHAR',
  bool: 'BOOLEAN',
  timestamptz: 'TIMESTAMPTZ',
};

/**
 * The DuckDB name of a PostgreSQL column type, so PostgreSQL tables compare with declared schemas
 * like lake tables do: `numeric(12,2)` → `DECIMAL(12,2)`, an unconstrained `numeric` → `DECIMAL`
 * (which matches no declared decimal), `integer[]` → `INTEGER[]`, `text` → `VARCHAR`.
 *
 * @example
 * postgresTypeAsDuckDb({ data_type: 'numeric', numeric_precision: 14, numeric_scale: 2, … }) // 'DECIMAL(14,2)'
 */
export function postgresTypeAsDuckDb(column: Omit<PostgresColumn, 'column_name'>): string {
  if (column.data_type === 'numeric') {
    return column.numeric_precision === null
      ? 'DECIMAL'
      : `DECIMAL(${column.numeric_precision},${column.numeric_scale ?? 0})`;
  }
  if (column.data_type === 'ARRAY') {
    const element = column.udt_name.replace(/^_/, '');
    return `${SCALARS[element] ?? element.toUpperCase()}[]`;
  }
  return SCALARS[column.data_type] ?? column.data_type.toUpperCase();
}

/**
 * Every column the asset's schema declares exists in its PostgreSQL table with the declared type:
 * a `decimal(12, 2)` column must be `numeric(12,2)`, not `double precision` or another precision.
 * For assets stored with `postgresTableIo`; other columns of the table (audit columns) are allowed.
 *
 * @example
 * checks: [postgresStoredTypes()]
 */
export function postgresStoredTypes(): AssetCheck {
  return defineCheck({
    name: 'stored_types_match_schema',
    severity: 'error',
    description:
      'every declared column is in the PostgreSQL table with its declared type (numeric precision and scale included)',
    async evaluate({ assetKey, data, columns, resource }) {
      if (!(data instanceof PostgresTableInput)) {
        throw new ShopflowError('SF_USER_CODE', `asset \`${assetKey}\` is not stored in a PostgreSQL table`, {
          hint: 'use storedTypes() for lake tables',
        });
      }
      const [schema, table] = data.table.includes('.') ? data.table.split('.') : ['public', data.table];
      const warehouse = await resource(postgresWarehouse);
      const { rows } = await warehouse.query<PostgresColumn>(
        `select column_name, data_type, udt_name, numeric_precision, numeric_scale
         from information_schema.columns where table_schema = $1 and table_name = $2`,
        [schema, table],
      );
      const stored = rows.map((r) => ({ name: r.column_name, type: postgresTypeAsDuckDb(r) }));
      return storedTypesResult(columns.length, storedTypeMismatches(columns, stored));
    },
  });
}
