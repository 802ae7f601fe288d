/**
 * `fn` over `items` with at most `limit` calls in flight; results in input order. The first
 * failure rejects the whole call (calls already started still finish).
 *
 * @example
 * const sizes = await mapLimited(keys, 8, (key) => headSize(key));
 */
export async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
