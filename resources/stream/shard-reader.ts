import type { Logger } from 'pino';
import { fullJitterDelayMs } from './backoff.js';
import type { ShardInfo, ShardPosition, StreamRecord, StreamTransport } from './stream-transport.js';
import { isStreamFailure } from './stream-transport-error.js';

/** Where a shard is being read from, and how it is doing (for health pages). */
export interface ShardCursor {
  shardId: string;
  parentShardIds: string[];
  /** Where reading (re)starts when an iterator has to be fetched. */
  position: ShardPosition;
  iterator: string | null;
  /** Sequence number of the last record read. */
  lastRead: string | null;
  /** The shard is closed and has been read to its end. */
  ended: boolean;
  /** How far behind the newest record the last read was, ms (null before a read). */
  millisBehind: number | null;
  /** Wall-clock time of the last read that returned, ms. */
  lastReadAt: number | null;
  /** No read before this wall-clock time (backing off after throttling or an error). */
  backoffUntil: number;
  failures: number;
  throttled: number;
  iteratorsRenewed: number;
}

/** What one round of reads returned. */
export interface ReadRound {
  /** Records per shard, in order. */
  records: Map<string, StreamRecord[]>;
  /**
   * Per shard that was read up to its newest record: the wall-clock time the read was sent. Every
   * record the stream received before then (by its clock) has been returned.
   */
  caughtUpAt: Map<string, number>;
  /** Shards read to their end in this round (closed after a split or merge). */
  ended: string[];
  /** Shards seen for the first time (children of a split or merge). */
  discovered: ShardInfo[];
}

export interface ShardReaderOptions {
  /** Records per read (default 10,000, the Kinesis maximum). */
  limit?: number;
  /** How often shards are listed to discover new ones (default 10 s; also after a shard ended). */
  discoverEveryMs?: number;
  /** Backoff after a throttled or failed read: base and cap, full jitter (default 100 ms, 5 s). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  now?: () => number;
  random?: () => number;
  log?: Logger;
}

/**
 * Reads every shard of a stream, each from its own position: one read per shard per round, all at
 * once. A throttled shard backs off on its own (exponential, full jitter) while the others go on;
 * an expired iterator is replaced from the last record read; a shard read to its end (closed by a
 * split or merge) is marked ended and the stream is listed again to find its children, which are
 * read from their start. Shards are read concurrently — parents and children alike — and the
 * caller orders records by arrival (see `ArrivalSlicer`).
 *
 * @example
 * const reader = new ShardReader(transport);
 * await reader.open((shard) => ({ type: 'trim-horizon' }));
 * const round = await reader.read();
 */
export class ShardReader {
  private readonly cursors = new Map<string, ShardCursor>();
  private readonly skipped = new Set<string>();
  private lastDiscovery = 0;
  private startOf: (shard: ShardInfo) => ShardPosition | 'skip' = () => ({ type: 'trim-horizon' });
  private readonly now: () => number;

  constructor(
    private readonly transport: StreamTransport,
    private readonly options: ShardReaderOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Lists the shards and decides where each starts: `startOf` returns a position, or `skip` for a
   * shard that needs no reading (ended and fully processed earlier). It is asked again for every
   * shard found later (children of a split or merge: usually their start).
   */
  async open(startOf: (shard: ShardInfo) => ShardPosition | 'skip'): Promise<ShardInfo[]> {
    this.startOf = startOf;
    return await this.discover();
  }

  /** The cursors, for health reporting. */
  shards(): ShardCursor[] {
    return [...this.cursors.values()].map((c) => ({ ...c, parentShardIds: [...c.parentShardIds] }));
  }

  private async discover(): Promise<ShardInfo[]> {
    this.lastDiscovery = this.now();
    const found: ShardInfo[] = [];
    for (const shard of await this.transport.listShards()) {
      if (this.cursors.has(shard.shardId) || this.skipped.has(shard.shardId)) continue;
      const position = this.startOf(shard);
      if (position === 'skip') {
        this.skipped.add(shard.shardId);
        continue;
      }
      this.cursors.set(shard.shardId, {
        shardId: shard.shardId,
        parentShardIds: shard.parentShardIds,
        position,
        iterator: null,
        lastRead: null,
        ended: false,
        millisBehind: null,
        lastReadAt: null,
        backoffUntil: 0,
        failures: 0,
        throttled: 0,
        iteratorsRenewed: 0,
      });
      found.push(shard);
    }
    return found;
  }

  /** Reads every shard that is due once; never throws for a shard's transient failure. */
  async read(): Promise<ReadRound> {
    const round: ReadRound = { records: new Map(), caughtUpAt: new Map(), ended: [], discovered: [] };
    const now = this.now();
    const due = [...this.cursors.values()].filter((c) => !c.ended && c.backoffUntil <= now);
    await Promise.all(due.map((cursor) => this.readShard(cursor, round)));
    if (
      round.ended.length > 0 ||
      this.now() - this.lastDiscovery >= (this.options.discoverEveryMs ?? 10_000)
    ) {
      round.discovered = await this.discover();
    }
    return round;
  }

  /** The earliest wall-clock time a shard can be read again (for the caller's wait). */
  nextDueAt(): number {
    let next = Number.POSITIVE_INFINITY;
    for (const c of this.cursors.values()) if (!c.ended && c.backoffUntil < next) next = c.backoffUntil;
    return next;
  }

  /** Forgets an ended shard (after its records were processed and it went quiet). */
  forget(shardId: string): void {
    const cursor = this.cursors.get(shardId);
    if (cursor?.ended) {
      this.cursors.delete(shardId);
      this.skipped.add(shardId);
    }
  }

  private async readShard(cursor: ShardCursor, round: ReadRound): Promise<void> {
    const sentAt = this.now();
    try {
      cursor.iterator ??= await this.transport.shardIterator(
        cursor.shardId,
        cursor.lastRead === null ? cursor.position : { type: 'after', sequenceNumber: cursor.lastRead },
      );
      const read = await this.transport.getRecords(
        cursor.shardId,
        cursor.iterator,
        this.options.limit ?? 10_000,
      );
      cursor.iterator = read.nextIterator;
      cursor.millisBehind = read.millisBehindLatest;
      cursor.lastReadAt = this.now();
      cursor.failures = 0;
      if (read.records.length > 0) {
        round.records.set(cursor.shardId, read.records);
        cursor.lastRead = read.records[read.records.length - 1].sequenceNumber;
      }
      if (read.nextIterator === null) {
        cursor.ended = true;
        round.ended.push(cursor.shardId);
      } else if (read.millisBehindLatest === 0) round.caughtUpAt.set(cursor.shardId, sentAt);
    } catch (error) {
      if (isStreamFailure(error, 'iterator-expired')) {
        cursor.iterator = null;
        cursor.iteratorsRenewed++;
        this.options.log?.info(
          { shard: cursor.shardId },
          'shard iterator expired; renewing it from the last record read',
        );
        return;
      }
      if (!isStreamFailure(error) || error.reason === 'rejected') throw error;
      if (error.reason === 'not-found') {
        // NOTE: the shard is past the stream's retention; nothing more can be read from it.
        this.options.log?.warn(
          { shard: cursor.shardId, err: error },
          'shard no longer exists; treating it as ended',
        );
        cursor.ended = true;
        round.ended.push(cursor.shardId);
        return;
      }
      cursor.failures++;
      if (error.reason === 'throttled') cursor.throttled++;
      cursor.iterator = error.reason === 'throttled' ? cursor.iterator : null;
      const delay = fullJitterDelayMs(
        cursor.failures,
        { baseMs: this.options.backoffBaseMs ?? 100, maxMs: this.options.backoffMaxMs ?? 5_000 },
        this.options.random,
      );
      cursor.backoffUntil = this.now() + Math.max(delay, 1);
      this.options.log?.debug(
        { shard: cursor.shardId, reason: error.reason, delay },
        'shard read failed; backing off',
      );
    }
  }
}
