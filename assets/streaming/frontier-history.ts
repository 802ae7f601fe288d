import { compareSequenceNumbers } from '../../resources/stream/sequence-number.js';

/**
 * From which read position each close frontier applied: entry `i` says that records read after
 * `after[shard]` (every record of a shard it does not name) were judged against `frontier`, until
 * the next entry. A restart that re-reads records to rebuild its open windows asks it whether a
 * record was late when it was first processed.
 */
export interface FrontierEntry {
  frontier: number;
  after: Record<string, string>;
}

/** The frontier a record of `shardId` at `sequenceNumber` was judged against (−∞ before any entry). */
export function frontierAt(
  history: readonly FrontierEntry[],
  shardId: string,
  sequenceNumber: string,
): number {
  for (let i = history.length - 1; i >= 0; i--) {
    const after = history[i].after[shardId];
    if (after === undefined || compareSequenceNumbers(sequenceNumber, after) > 0) return history[i].frontier;
  }
  return Number.NEGATIVE_INFINITY;
}

/**
 * The entries still needed to judge records after `replayFrom` (per shard; shards it does not name
 * are not re-read): an entry goes once the next one starts at or before every re-read position.
 */
export function pruneFrontiers(
  history: readonly FrontierEntry[],
  replayFrom: ReadonlyMap<string, string>,
): FrontierEntry[] {
  let first = 0;
  for (let i = 0; i + 1 < history.length; i++) {
    const next = history[i + 1].after;
    let needed = false;
    for (const [shard, from] of replayFrom) {
      const start = next[shard];
      // NOTE: a record at `from` or later is judged by entry i only if it precedes entry i+1's start.
      if (start !== undefined && compareSequenceNumbers(from, start) <= 0) {
        needed = true;
        break;
      }
    }
    if (needed) break;
    first = i + 1;
  }
  return history.slice(first);
}
