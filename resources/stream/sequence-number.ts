/**
 * Orders two sequence numbers of one shard (decimal strings of up to 128 bits, without leading
 * zeros): negative when `a` comes first. Cheaper than BigInt for the strings Kinesis returns.
 *
 * @example
 * compareSequenceNumbers('49680793588497667935371249390302086260499489567883132930', '9'); // > 0
 */
export function compareSequenceNumbers(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
