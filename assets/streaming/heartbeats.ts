import { createHash } from 'node:crypto';
import type { StreamTransport } from '../../resources/stream/stream-transport.js';
import { encodeHeartbeat } from './click-event.js';

/** Kinesis routes a record by the MD5 of its partition key, read as a 128-bit number. */
function hashKey(partitionKey: string): bigint {
  return BigInt(`0x${createHash('md5').update(partitionKey).digest('hex')}`);
}

/**
 * Sends one heartbeat at event time `at` to every open shard (a partition key is searched for each
 * shard's hash key range): the consumer's watermark then moves past every event sent before, so
 * their windows close without waiting for the stream to go idle — e.g. after replaying a day.
 * Returns how many shards got one.
 *
 * @example
 * await sendHeartbeats(transport, Date.now());
 */
export async function sendHeartbeats(transport: StreamTransport, at: number): Promise<number> {
  const open = (await transport.listShards()).filter((s) => s.endingSequenceNumber === null);
  const entries = open.map((shard) => {
    const low = BigInt(shard.startingHashKey);
    const high = BigInt(shard.endingHashKey);
    for (let i = 0; ; i++) {
      const key = `heartbeat-${shard.shardId}-${i}`;
      const h = hashKey(key);
      if (h >= low && h <= high)
        return { partitionKey: key, data: new TextEncoder().encode(encodeHeartbeat(key, at)) };
    }
  });
  const outcomes = entries.length > 0 ? await transport.putRecords(entries) : [];
  return outcomes.filter((o) => o.ok).length;
}
