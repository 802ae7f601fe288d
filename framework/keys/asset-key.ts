import { ShopflowError } from '../errors/error-catalog.js';

const ASSET_KEY = /^[a-z][a-z0-9_]*$/;

/** Throws `SF_INVALID_ASSET` unless `key` is snake_case (`silver_customers`). */
export function validateAssetKey(key: string, where = 'asset definition'): void {
  if (!ASSET_KEY.test(key)) {
    throw new ShopflowError('SF_INVALID_ASSET', `asset key \`${key}\` in ${where} is not snake_case`, {
      hint: `use lowercase letters, digits and underscores, starting with a letter, e.g. \`${suggestKey(key)}\``,
    });
  }
}

function suggestKey(key: string): string {
  const cleaned = key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^[^a-z]+/, '');
  return cleaned || 'my_asset';
}

/**
 * The user-facing string of an asset partition: `asset` or `asset[2024-01-15]`.
 *
 * @example
 * formatAssetPartition('raw_transactions', '2024-01-15') // 'raw_transactions[2024-01-15]'
 */
export function formatAssetPartition(assetKey: string, partitionKey: string | null): string {
  return partitionKey === null ? assetKey : `${assetKey}[${partitionKey}]`;
}

/** The inverse of {@link formatAssetPartition}. */
export function parseAssetPartition(text: string): { assetKey: string; partitionKey: string | null } {
  const match = /^([^[\]]+)(?:\[([^[\]]+)\])?$/.exec(text.trim());
  if (!match) {
    throw new ShopflowError('SF_BAD_USAGE', `\`${text}\` is not an asset or asset partition`, {
      hint: 'write `asset` or `asset[PARTITION]`, e.g. `raw_transactions[2024-01-15]`',
    });
  }
  return { assetKey: match[1], partitionKey: match[2] ?? null };
}

/** The user-facing string of a check: `asset:check`. */
export function formatCheckKey(assetKey: string, checkName: string): string {
  return `${assetKey}:${checkName}`;
}

/** The instance-store name of an asset's checkpoint `name` (see `MaterializeContext.checkpoints`). */
export function checkpointName(assetKey: string, name: string): string {
  return `asset:${assetKey}:${name}`;
}
