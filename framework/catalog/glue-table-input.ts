import type { AnyAsset } from '../definitions/define-asset.js';
import { ShopflowError } from '../errors/error-catalog.js';
import { SYMLINK_ROOT } from '../io/lake-storage/symlink-manifest.js';
import { schemaColumns } from '../io/schema-columns.js';
import type { StoredColumn } from '../io/stored-column-types.js';

/**
 * The Hive type (what Glue and Athena call a column's type) of a DuckDB type the lake stores, e.g.
 * `BIGINT` → `bigint`, `INTEGER` → `int`, `DECIMAL(18,2)` → `decimal(18,2)`, `VARCHAR[]` →
 * `array<string>`. Unsigned integers map to the next wider signed type that holds every value.
 *
 * @example
 * hiveType('TIMESTAMPTZ'); // 'timestamp'
 * hiveType('TIMESTAMP WITH TIME ZONE'); // 'timestamp'
 */
export function hiveType(duckdbType: string): string {
  const type = duckdbType.trim().toUpperCase();
  if (type.endsWith('[]')) return `array<${hiveType(type.slice(0, -2))}>`;
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(type);
  if (decimal) return `decimal(${decimal[1]},${decimal[2]})`;
  const simple: Record<string, string> = {
    BIGINT: 'bigint',
    INT8: 'bigint',
    INTEGER: 'int',
    INT: 'int',
    INT4: 'int',
    SMALLINT: 'smallint',
    INT2: 'smallint',
    TINYINT: 'tinyint',
    UTINYINT: 'smallint',
    USMALLINT: 'int',
    UINTEGER: 'bigint',
    DOUBLE: 'double',
    FLOAT8: 'double',
    FLOAT: 'float',
    REAL: 'float',
    FLOAT4: 'float',
    BOOLEAN: 'boolean',
    VARCHAR: 'string',
    JSON: 'string',
    DATE: 'date',
    TIMESTAMP: 'timestamp',
    TIMESTAMPTZ: 'timestamp',
    'TIMESTAMP WITH TIME ZONE': 'timestamp',
  };
  const hive = simple[type];
  if (!hive) {
    throw new ShopflowError(
      'SF_INVALID_ASSET',
      `DuckDB type \`${duckdbType}\` has no Hive type for the catalog`,
      {
        hint: 'declare the column with a type Glue knows (integer, number, decimal, string, boolean, date, timestamp, arrays of them)',
      },
    );
  }
  return hive;
}

/**
 * The type a column's Glue table should declare: what the Parquet files store (`stored`, the
 * column types the lake table records with each materialization) when known, so an `INTEGER`
 * (INT32) column is `int` and not the `bigint` a `z.int()` declaration allows; otherwise the
 * declared type. A reader such as Athena fails on a column whose declared type the files do not
 * hold; a stored type that differs from the declared one is what `stored_types_match_schema`
 * reports.
 */
function columnType(declared: string, stored: string | undefined): string {
  return stored ?? declared;
}

/**
 * An AWS Glue `TableInput` (the body of `glue create-table --table-input`) for a lake table, read
 * through symlink manifests: each partition's `manifest` under `<lake>/_symlinks/<asset>/` lists
 * exactly the Parquet files of its committed version (`shopflow catalog --symlinks` writes them),
 * so Athena never reads a superseded file or a leftover of a failed write, which share the
 * partition's folder (with `lake.symlinks: true` every commit rewrites its partition's manifest). Daily partitions are found by partition projection, no crawler needed. Column types are
 * those the files store where `stored` gives them (see {@link columnType}).
 *
 * @example
 * glueTableInput(silverTransactions, { lake: 's3://acme-lake/lake/' });
 */
export function glueTableInput(
  asset: AnyAsset,
  options: {
    lake: string;
    now?: Date;
    /** The column types its Parquet files store (the latest materialization's `metadata.schema`). */
    stored?: readonly StoredColumn[];
  },
): Record<string, unknown> {
  const storedTypes = new Map((options.stored ?? []).map((c) => [c.name, c.type]));
  const lake = options.lake.endsWith('/') ? options.lake : `${options.lake}/`;
  const location = `${lake}${SYMLINK_ROOT}/${asset.key}/`;
  const partitioned = asset.partitions !== undefined;
  const timeWindow = asset.partitions?.kind === 'time-window';
  const keys = partitioned ? asset.partitions!.keys(options.now ?? new Date()) : [];
  const parameters: Record<string, string> = {
    classification: 'parquet',
    EXTERNAL: 'TRUE',
    'shopflow.asset': asset.key,
    'shopflow.group': asset.group,
  };
  if (partitioned) {
    parameters['projection.enabled'] = 'true';
    parameters['storage.location.template'] = `${location}partition=\${partition}/`;
    if (timeWindow && keys.every((k) => /^\d{4}-\d{2}-\d{2}$/.test(k))) {
      parameters['projection.partition.type'] = 'date';
      parameters['projection.partition.format'] = 'yyyy-MM-dd';
      parameters['projection.partition.range'] = `${keys[0] ?? '2024-01-01'},NOW`;
      // NOTE: daily, weekly (7 days apart) or monthly (first days of months) windows.
      const days = keys.length > 1 ? (Date.parse(keys[1]) - Date.parse(keys[0])) / 86_400_000 : 1;
      const monthly = days >= 28 && days <= 31;
      parameters['projection.partition.interval'] = monthly ? '1' : String(days);
      parameters['projection.partition.interval.unit'] = monthly ? 'MONTHS' : 'DAYS';
    } else {
      parameters['projection.partition.type'] = 'enum';
      parameters['projection.partition.values'] = keys.join(',');
    }
  }
  return {
    Name: asset.key,
    Description: asset.description,
    ...(asset.owners.length ? { Owner: asset.owners.join(', ') } : {}),
    TableType: 'EXTERNAL_TABLE',
    Parameters: parameters,
    PartitionKeys: partitioned
      ? [{ Name: 'partition', Type: 'string', Comment: asset.partitions!.description }]
      : [],
    StorageDescriptor: {
      Columns: schemaColumns(asset.schema).map((c) => ({
        Name: c.name,
        Type: hiveType(columnType(c.type, storedTypes.get(c.name))),
        ...(c.description || c.pii
          ? { Comment: [c.description, c.pii ? 'personal data' : ''].filter(Boolean).join(' — ') }
          : {}),
      })),
      Location: location,
      InputFormat: 'org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat',
      OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
      SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
    },
  };
}
