import type { PutEntry, PutOutcome, StreamTransport } from '../../resources/stream/stream-transport.js';
import { StreamTransportError } from '../../resources/stream/stream-transport-error.js';

/** Faults a real Kinesis-compatible server does not produce, injected around a real transport. */
export interface StreamFaults {
  /** Share of PutRecords entries that fail on their own (ProvisionedThroughputExceeded), per call. */
  putFailureShare?: number;
  /** Reads of these shards are throttled this many times before they go through. */
  throttleReads?: Record<string, number>;
  /** These shards' next read reports an expired iterator, this many times. */
  expireIterators?: Record<string, number>;
  random?: () => number;
}

/** What the faulty transport saw (for assertions). */
export interface FaultLog {
  putCalls: number;
  entriesSent: number;
  entriesFailed: number;
  readsThrottled: Record<string, number>;
  iteratorsExpired: Record<string, number>;
  /** Data of every entry in every PutRecords call, in order (to check what was resent). */
  sent: string[];
}

/**
 * Wraps `inner`, injecting partial PutRecords failures, throttled reads and expired iterators — the
 * faults the transport interface must survive and kinesalite never produces. Everything else is
 * the real server's behaviour.
 */
export function faultyStreamTransport(
  inner: StreamTransport,
  faults: StreamFaults,
): { transport: StreamTransport; log: FaultLog } {
  const random = faults.random ?? Math.random;
  const throttle = { ...(faults.throttleReads ?? {}) };
  const expire = { ...(faults.expireIterators ?? {}) };
  const log: FaultLog = {
    putCalls: 0,
    entriesSent: 0,
    entriesFailed: 0,
    readsThrottled: {},
    iteratorsExpired: {},
    sent: [],
  };
  const decoder = new TextDecoder();
  const transport: StreamTransport = {
    stream: inner.stream,
    ensureStream: (n) => inner.ensureStream(n),
    listShards: () => inner.listShards(),
    shardIterator: (shardId, position) => inner.shardIterator(shardId, position),
    async getRecords(shardId, iterator, limit) {
      if ((throttle[shardId] ?? 0) > 0) {
        throttle[shardId]--;
        log.readsThrottled[shardId] = (log.readsThrottled[shardId] ?? 0) + 1;
        throw new StreamTransportError('throttled', `injected: read of ${shardId} throttled`);
      }
      if ((expire[shardId] ?? 0) > 0) {
        expire[shardId]--;
        log.iteratorsExpired[shardId] = (log.iteratorsExpired[shardId] ?? 0) + 1;
        throw new StreamTransportError('iterator-expired', `injected: iterator of ${shardId} expired`);
      }
      return await inner.getRecords(shardId, iterator, limit);
    },
    async putRecords(entries: PutEntry[]): Promise<PutOutcome[]> {
      log.putCalls++;
      log.entriesSent += entries.length;
      for (const e of entries) log.sent.push(decoder.decode(e.data));
      const share = faults.putFailureShare ?? 0;
      const failing = entries.map(() => random() < share);
      const passing = entries.filter((_, i) => !failing[i]);
      const landed = passing.length > 0 ? await inner.putRecords(passing) : [];
      let k = 0;
      return entries.map((_, i) => {
        if (!failing[i]) return landed[k++];
        log.entriesFailed++;
        return {
          ok: false,
          errorCode: 'ProvisionedThroughputExceededException',
          errorMessage: 'injected: rate exceeded for shard',
        };
      });
    },
    splitShard: (shardId, key) => inner.splitShard(shardId, key),
    mergeShards: (a, b) => inner.mergeShards(a, b),
    close: () => inner.close(),
  };
  return { transport, log };
}
