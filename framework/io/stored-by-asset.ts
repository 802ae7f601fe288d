import { ShopflowError } from '../errors/error-catalog.js';
import type { InputHandle, IoTarget } from './io-target.js';

/**
 * The partitions of an asset that stores its data itself, handed to a downstream step: they order
 * the steps and carry lineage, but hold no table a query could read.
 */
export class StoredByAssetInput implements InputHandle {
  constructor(
    readonly assetKey: string,
    readonly partitionKeys: Array<string | null>,
  ) {}

  toSql(): string {
    throw new ShopflowError(
      'SF_USER_CODE',
      `asset \`${this.assetKey}\` stores its data itself (io: storedByAsset()), so there is no table a query can read`,
      {
        hint: `read what \`${this.assetKey}\` wrote from where it wrote it, or store it in the lake (return its rows)`,
      },
    );
  }
}

/**
 * The IO target of an asset whose `materialize` writes its data itself — to a system of its own, an
 * API, files another tool reads — and returns `materialized({ … })`: the framework records the
 * materialization, its data version and lineage, and keeps out of the lake (nothing to compact,
 * sweep, verify or catalog there). `location` says where the data lives, for people.
 *
 * @example
 * defineAsset({ key: 'crm_export', io: storedByAsset({ location: () => 'the CRM' }), materialize: async () => materialized({ rowCount: 1 }) })
 */
export function storedByAsset(
  options: { location?: (partitionKey: string | null) => string } = {},
): IoTarget<never, StoredByAssetInput> {
  return {
    kind: 'stored-by-asset',
    supportsQuarantine: false,
    location: (assetKey, partitionKey) => options.location?.(partitionKey) ?? `written by ${assetKey} itself`,
    async write(context) {
      throw new ShopflowError(
        'SF_USER_CODE',
        `asset \`${context.assetKey}\` stores its data itself (io: storedByAsset()), but its materialize returned data for the framework to write`,
        {
          hint: 'write the data in materialize and return materialized({ … }), or drop `io` to store the rows in the lake',
        },
      );
    },
    async input(context, partitionKeys) {
      return new StoredByAssetInput(context.assetKey, partitionKeys);
    },
    async preview(context) {
      throw new ShopflowError(
        'SF_BAD_USAGE',
        `asset \`${context.assetKey}\` stores its data itself, outside the lake: there are no rows to show`,
        {
          hint: `its materializations' metadata say what was written: shopflow runs show RUN_ID, or the asset's page`,
        },
      );
    },
  };
}
