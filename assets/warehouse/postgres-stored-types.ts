import { storedTypesResult } from '../../checks/index.js';
import { type AssetCheck, defineCheck, ShopflowError, storedTypeMismatches } from '../../framework/index.js';
import { postgresWarehouse } from '../resources/postgres-warehouse.js';
import { PostgresTableInput } from './postgres-table-io.js';

/** A column as `information_schema.columns` describes it. */
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
 * The columns of table `$1.$2` as `information_schema.columns` describes them (the fields of
 * {@link PostgresColumn}), read from the catalog: the view takes milliseconds to plan, and every
 * partition a warehouse asset loads is checked.
 */
export const STORED_COLUMNS_SQL = `select a.attname as column_name,
    case when t.typcategory = 'A' then 'ARRAY' else format_type(a.atttypid, null) end as data_type,
    t.typname as udt_name,
    case when a.atttypid = 'numeric'::regtype and a.atttypmod >= 4 then ((a.atttypmod - 4) >> 16) & 65535 end
      as numeric_precision,
    case when a.atttypid = 'numeric'::regtype and a.atttypmod >= 4 then (a.atttypmod - 4) & 65535 end
      as numeric_scale
  from pg_attribute a
  join pg_class c on c.oid = a.attrelid
  join pg_namespace n on n.oid = c.relnamespace
  join pg_type t on t.oid = a.atttypid
  where n.nspname = $1 and c.relname = $2 and a.attnum > 0 and not a.attisdropped
  order by a.attnum`;

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
      const { rows } = await warehouse.query<PostgresColumn>(STORED_COLUMNS_SQL, [schema, table]);
      const stored = rows.map((r) => ({ name: r.column_name, type: postgresTypeAsDuckDb(r) }));
      return storedTypesResult(columns.length, storedTypeMismatches(columns, stored));
    },
  });
}
