import { ShopflowError } from '../errors/error-catalog.js';
import type { ColumnClass } from '../governance/column-classification.js';
import { maskingClassification } from '../governance/graph-classification.js';
import { maskRows } from '../governance/mask-rows.js';
import { recordCorruptPartition } from '../planner/lake-integrity.js';
import type { ShopflowRuntime } from '../runtime/shopflow-runtime.js';

/** One column of a preview: its name, its storage type's name, and how sensitive it is. */
export interface PreviewColumn {
  name: string;
  /** The type's name in the store (`BIGINT`, `bigint`, `text`, …). */
  type: string;
  class: ColumnClass;
  /** Whether its values were replaced with a mask. */
  masked: boolean;
}

/** Rows of one partition of an asset, masked unless asked otherwise. */
export interface AssetPreview {
  assetKey: string;
  partitionKey: string | null;
  materializedAt: string | null;
  columns: PreviewColumn[];
  rows: Record<string, unknown>[];
}

export interface PreviewOptions {
  /** The partition to read; default the latest materialized one. */
  partition?: string;
  limit: number;
  /** Show values of sensitive columns (only `shopflow show --unmask` asks for this). */
  unmask?: boolean;
  /** The rows the partition's last write quarantined instead of its data (`shopflow show --quarantine`). */
  quarantine?: boolean;
}

/**
 * Up to `limit` rows of one partition of `assetKey` as people see them (`shopflow show`, the web
 * page): columns classified confidential or restricted (declared or inherited, see `runtime.classification()`) are masked unless `unmask`.
 * Throws `SF_NOT_MATERIALIZED` for a partition with no data and `SF_BAD_PARTITION` for a partition
 * of an unpartitioned asset.
 *
 * @example
 * const { columns, rows } = await previewAsset(runtime, 'silver_customers', { limit: 20 });
 */
export async function previewAsset(
  runtime: ShopflowRuntime,
  assetKey: string,
  options: PreviewOptions,
): Promise<AssetPreview> {
  const asset = runtime.graph.get(assetKey);
  const requested = options.partition || undefined;
  let partitionKey: string | null = null;
  if (asset.partitions) {
    if (requested) {
      asset.partitions.validate(requested, runtime.services.now());
      partitionKey = requested;
    } else {
      const [latest] = await runtime.store.listMaterializations({ assetKey, limit: 1 });
      if (!latest) {
        throw new ShopflowError('SF_NOT_MATERIALIZED', `asset \`${assetKey}\` has never been materialized`, {
          hint: howToWrite(asset.writtenBy, assetKey, null),
        });
      }
      partitionKey = latest.partitionKey;
    }
  } else if (requested) {
    throw new ShopflowError(
      'SF_BAD_PARTITION',
      `asset \`${assetKey}\` is not partitioned, but partition \`${requested}\` was asked for`,
      { hint: 'drop the partition' },
    );
  }
  const [state] = await runtime.store.listAssetPartitionStates([assetKey], [partitionKey]);
  if (!state?.materializationId) {
    const which =
      partitionKey === null
        ? `asset \`${assetKey}\``
        : `partition \`${partitionKey}\` of asset \`${assetKey}\``;
    throw new ShopflowError('SF_NOT_MATERIALIZED', `${which} has never been materialized`, {
      hint: howToWrite(asset.writtenBy, assetKey, partitionKey),
    });
  }
  const { columns, rows } = await runtime
    .preview(assetKey, partitionKey, options.limit, { quarantine: options.quarantine === true })
    .catch(async (error: unknown) => {
      // NOTE: a damaged file found here shows as "missing — file corrupt" in every plan from now on.
      await recordCorruptPartition(runtime.store, error, runtime.services.now()).catch(() => false);
      throw error;
    });
  const classes = maskingClassification(asset, (await runtime.classification()).columns.get(assetKey) ?? []);
  return {
    assetKey,
    partitionKey,
    materializedAt: state.materializedAt,
    columns: columns.map((c) => {
      const cls = classes.get(c.name) ?? 'none';
      return { name: c.name, type: c.type, class: cls, masked: cls !== 'none' && !options.unmask };
    }),
    rows: options.unmask ? rows : maskRows(rows, classes),
  };
}

/** What writes an asset's data: a run, or the process named by `writtenBy` (runs never do). */
function howToWrite(writtenBy: string | undefined, assetKey: string, partitionKey: string | null): string {
  if (writtenBy !== undefined) return `it is written by \`${writtenBy}\`, not by runs: run that to write it`;
  return `materialize it first: shopflow materialize ${assetKey}${partitionKey === null ? '' : ` --partition ${partitionKey}`}`;
}
