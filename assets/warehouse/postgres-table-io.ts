import { type InputHandle, type IoTarget, ShopflowError } from '../../framework/index.js';
import { columnTypeNames } from '../../resources/postgres/column-type-names.js';
import { postgresWarehouse } from '../resources/postgres-warehouse.js';

/** A handle on a warehouse table; downstream steps query it through the PostgreSQL resource. */
export class PostgresTableInput implements InputHandle {
  constructor(
    readonly assetKey: string,
    readonly partitionKeys: Array<string | null>,
    readonly table: string,
  ) {}

  toSql(): string {
    throw new ShopflowError(
      'SF_USER_CODE',
      `${this.assetKey} is the PostgreSQL table ${this.table}, which DuckDB cannot read`,
      {
        hint: 'query it through the postgres resource, or depend on the silver asset it was loaded from',
      },
    );
  }
}

/**
 * An asset stored as a PostgreSQL table that the asset's own code loads (COPY + upsert); the
 * framework records what `materialize` returns. Previews read the table.
 *
 * @example
 * io: postgresTableIo('shopflow.customers', { orderBy: 'customer_id' })
 */
export function postgresTableIo(
  table: string,
  options: { orderBy: string; partitionColumn?: string },
): IoTarget<unknown, PostgresTableInput> {
  return {
    kind: 'postgres-table',
    supportsQuarantine: false,
    resources: [postgresWarehouse],
    location: () => `postgresql table ${table}`,
    write: async () => {
      throw new ShopflowError('SF_USER_CODE', `assets stored in ${table} load it themselves`, {
        hint: 'return materialized({ … }) after loading',
      });
    },
    input: async (context, partitionKeys) => new PostgresTableInput(context.assetKey, partitionKeys, table),
    preview: async (context, partitionKey, limit) => {
      const pg = await context.resource(postgresWarehouse);
      const where =
        partitionKey !== null && options.partitionColumn ? `where ${options.partitionColumn} = $1` : '';
      const result = await pg.query(
        `select * from ${table} ${where} order by ${options.orderBy} limit ${Number(limit)}`,
        where ? [partitionKey] : [],
      );
      const types = await columnTypeNames(pg, result.fields);
      return {
        columns: result.fields.map((f, i) => ({ name: f.name, type: types[i] })),
        rows: result.rows.map((row) =>
          Object.fromEntries(
            Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]),
          ),
        ),
      };
    },
  };
}
