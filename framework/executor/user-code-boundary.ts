import { isShopflowError, ShopflowError } from '../errors/error-catalog.js';
import { formatAssetPartition } from '../keys/asset-key.js';
import { redactUrl } from '../logging/redact-secrets.js';

/**
 * Runs asset or check code. Framework errors pass through unchanged; anything else the code throws
 * is wrapped with the asset partition (and check) it came from, the original kept as `cause`.
 */
export async function userCodeBoundary<T>(
  where: { assetKey: string; partitionKey: string | null; check?: string },
  fn: () => Promise<T> | T,
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (isShopflowError(error)) throw error;
    const label = formatAssetPartition(where.assetKey, where.partitionKey);
    const what = where.check ? `check \`${where.check}\` of ${label}` : label;
    const message = error instanceof Error ? error.message : String(error);
    throw new ShopflowError('SF_USER_CODE', `error in ${what}: ${message}`, { cause: error });
  }
}

/**
 * A one-line description of an error with its cause chain, for events and the CLI; the password of
 * any URL it quotes is redacted (events go to the instance store and the web page).
 */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    const message = current instanceof Error ? current.message : String(current);
    if (!parts.some((p) => p.includes(message))) parts.push(message);
    current = current instanceof Error ? current.cause : undefined;
  }
  return redactUrl(parts.join(' ← '));
}
