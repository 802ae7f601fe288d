/**
 * One record as read from a shard. `arrivedAt` is the stream's own receive time (Kinesis
 * `ApproximateArrivalTimestamp`, Kafka `LogAppendTime`): the same on every read of the record, so
 * processing keyed on it can be replayed exactly.
 */
export interface StreamRecord {
  shardId: string;
  sequenceNumber: string;
  /** When the stream received the record, ms since the epoch (server clock). */
  arrivedAt: number;
  partitionKey: string;
  data: Uint8Array;
}

/** A shard (Kafka: a partition) and where it came from. */
export interface ShardInfo {
  shardId: string;
  /** The shard it was split from, or the two it was merged from; empty for an original shard. */
  parentShardIds: string[];
  /** Set once the shard is closed (split or merged away): its last sequence number. */
  endingSequenceNumber: string | null;
  startingHashKey: string;
  endingHashKey: string;
}

/** Where to start reading a shard. */
export type ShardPosition =
  | { type: 'trim-horizon' }
  | { type: 'at'; sequenceNumber: string }
  | { type: 'after'; sequenceNumber: string }
  | { type: 'latest' };

/** What one read of a shard returned. */
export interface ShardRead {
  records: StreamRecord[];
  /** The iterator for the next read; null when the shard is closed and has been read to its end. */
  nextIterator: string | null;
  /** How far the read is behind the newest record of the shard (0: caught up). */
  millisBehindLatest: number;
}

/** One record to write; `partitionKey` picks the shard (records with one key keep their order). */
export interface PutEntry {
  partitionKey: string;
  data: Uint8Array;
}

/** The outcome of one entry of a {@link StreamTransport.putRecords} call, in entry order. */
export type PutOutcome =
  | { ok: true; shardId: string; sequenceNumber: string }
  | { ok: false; errorCode: string; errorMessage: string };

/**
 * The event stream as the producer and the consumer see it: a named stream of shards read by
 * iterators. Kinesis implements it (`kinesis/`); a Kafka adapter would map topic partitions to
 * shards and offsets to sequence numbers (docs/streaming.md lists what it must provide). Every
 * failure is a `StreamTransportError`, whose `reason` says whether waiting helps.
 *
 * @example
 * const transport = createKinesisTransport({ stream: 'clickstream', endpoint, region: 'us-east-1' });
 * const [shard] = await transport.listShards();
 * const read = await transport.getRecords(shard.shardId, await transport.shardIterator(shard.shardId, { type: 'trim-horizon' }), 1000);
 */
export interface StreamTransport {
  /** The stream's name. */
  readonly stream: string;
  /** Creates the stream with `shards` shards unless it exists; waits until it can be used. */
  ensureStream(shards: number): Promise<void>;
  /** Every shard the stream still retains, open and closed. */
  listShards(): Promise<ShardInfo[]>;
  shardIterator(shardId: string, position: ShardPosition): Promise<string>;
  /** Reads up to `limit` records of `shardId` from `iterator` (from `shardIterator` or the last read). */
  getRecords(shardId: string, iterator: string, limit: number): Promise<ShardRead>;
  /** Writes up to 500 entries; each may fail on its own (e.g. throttled), the others still land. */
  putRecords(entries: PutEntry[]): Promise<PutOutcome[]>;
  /** Splits an open shard at `newStartingHashKey` (a decimal 128-bit hash key). */
  splitShard(shardId: string, newStartingHashKey: string): Promise<void>;
  /** Merges two open shards with adjacent hash key ranges. */
  mergeShards(shardId: string, adjacentShardId: string): Promise<void>;
  close(): void;
}
