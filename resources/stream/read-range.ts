import { fullJitterDelayMs } from './backoff.js';
import { compareSequenceNumbers } from './sequence-number.js';
import type { ShardPosition, StreamRecord, StreamTransport } from './stream-transport.js';
import { isStreamFailure } from './stream-transport-error.js';

/**
 * Reads one shard from `from` up to and including sequence number `through` (or to the shard's
 * end), handing records over in order, chunk by chunk. Throttling and network failures are
 * retried with backoff, an expired iterator is renewed after the last record read. Returns how
 * many records were read.
 *
 * @example
 * await readRange(transport, 'shardId-000000000000', { type: 'at', sequenceNumber: low }, processed, (rs) => engine.rebuild(rs));
 */
export async function readRange(
  transport: StreamTransport,
  shardId: string,
  from: ShardPosition,
  through: string,
  onRecords: (records: StreamRecord[]) => void,
  options: { limit?: number; maxFailures?: number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<number> {
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  let position = from;
  let iterator: string | null = null;
  let failures = 0;
  let read = 0;
  for (;;) {
    try {
      iterator ??= await transport.shardIterator(shardId, position);
      const result = await transport.getRecords(shardId, iterator, options.limit ?? 10_000);
      failures = 0;
      let records = result.records;
      const stop = records.findIndex((r) => compareSequenceNumbers(r.sequenceNumber, through) > 0);
      if (stop >= 0) records = records.slice(0, stop);
      if (records.length > 0) {
        onRecords(records);
        read += records.length;
        position = { type: 'after', sequenceNumber: records[records.length - 1].sequenceNumber };
      }
      const last = records[records.length - 1];
      if (stop >= 0 || result.nextIterator === null || (last && last.sequenceNumber === through)) return read;
      if (result.records.length === 0 && result.millisBehindLatest === 0) return read;
      iterator = result.nextIterator;
    } catch (error) {
      if (isStreamFailure(error, 'iterator-expired')) {
        iterator = null;
        continue;
      }
      if (!isStreamFailure(error) || !error.transient || ++failures > (options.maxFailures ?? 20))
        throw error;
      iterator = null;
      await sleep(fullJitterDelayMs(failures, { baseMs: 100, maxMs: 5_000 }));
    }
  }
}
