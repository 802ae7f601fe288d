import { compareSequenceNumbers } from './sequence-number.js';
import type { StreamRecord } from './stream-transport.js';

/** Records that arrived in [start, end), ordered parents-first, then by shard and sequence number. */
export interface ArrivalSlice {
  start: number;
  end: number;
  records: StreamRecord[];
}

interface ShardBuffer {
  records: StreamRecord[];
  head: number;
  /** Every record of the shard that arrived before this (stream clock) has been buffered. */
  completeBefore: number;
  ended: boolean;
  depth: number;
}

/**
 * Cuts the records of every shard into slices of arrival time (`sliceMs`, aligned to multiples of
 * it), in the same way on every read of the same stream: a slice is released only once every
 * shard has been read past its end — a record that arrived later was read, the shard is closed and
 * read to its end, or a read found the shard caught up at a wall-clock time at least `skewMs`
 * after the slice's end (allowing for the stream's clock running behind). Runs of empty slices
 * come out as one slice, at most once per `idleSliceMs`.
 *
 * @example
 * const slicer = new ArrivalSlicer({ sliceMs: 200, skewMs: 1000 });
 * slicer.addShard('shardId-0', 0);
 * slicer.add('shardId-0', records);
 * for (const slice of slicer.takeReady()) engine.processSlice(slice);
 */
export class ArrivalSlicer {
  private readonly shards = new Map<string, ShardBuffer>();
  private start: number | null;

  constructor(
    private readonly options: {
      sliceMs: number;
      skewMs: number;
      idleSliceMs?: number;
      nextStart?: number | null;
    },
  ) {
    this.start = options.nextStart ?? null;
  }

  /** Where the next slice starts (null before any record); a checkpoint keeps it. */
  get nextStart(): number | null {
    return this.start;
  }

  /** Records buffered and not yet released. */
  get buffered(): number {
    let n = 0;
    for (const b of this.shards.values()) n += b.records.length - b.head;
    return n;
  }

  /** Starts tracking a shard; `depth` is how many ancestors it has (parents are released first). */
  addShard(shardId: string, depth: number): void {
    if (!this.shards.has(shardId))
      this.shards.set(shardId, {
        records: [],
        head: 0,
        completeBefore: Number.NEGATIVE_INFINITY,
        ended: false,
        depth,
      });
  }

  /** Appends records read from a shard (in order). */
  add(shardId: string, records: readonly StreamRecord[]): void {
    const buffer = this.shards.get(shardId);
    if (!buffer) throw new Error(`shard ${shardId} is not tracked`);
    for (const r of records) buffer.records.push(r);
    const last = records[records.length - 1];
    if (last && last.arrivedAt > buffer.completeBefore) buffer.completeBefore = last.arrivedAt;
  }

  /** A read found the shard caught up at wall-clock time `at`. */
  caughtUp(shardId: string, at: number): void {
    const buffer = this.shards.get(shardId);
    const before = at - this.options.skewMs;
    if (buffer && before > buffer.completeBefore) buffer.completeBefore = before;
  }

  /** The shard is closed and read to its end. */
  ended(shardId: string): void {
    const buffer = this.shards.get(shardId);
    if (buffer) buffer.ended = true;
  }

  /** Ended shards whose records have all been released (they can be forgotten). */
  drained(): string[] {
    return [...this.shards].filter(([, b]) => b.ended && b.head === b.records.length).map(([id]) => id);
  }

  forget(shardId: string): void {
    this.shards.delete(shardId);
  }

  private completeBefore(): number {
    let c = Number.POSITIVE_INFINITY;
    for (const b of this.shards.values()) {
      const own = b.ended ? Number.POSITIVE_INFINITY : b.completeBefore;
      if (own < c) c = own;
    }
    return c;
  }

  private earliestBuffered(): number {
    let e = Number.POSITIVE_INFINITY;
    for (const b of this.shards.values())
      if (b.head < b.records.length) e = Math.min(e, b.records[b.head].arrivedAt);
    return e;
  }

  /** The slices that are complete, in order. */
  takeReady(): ArrivalSlice[] {
    const slices: ArrivalSlice[] = [];
    const { sliceMs } = this.options;
    const complete = this.completeBefore();
    if (this.start === null) {
      const first = this.earliestBuffered();
      if (!Number.isFinite(first)) return slices;
      this.start = Math.floor(first / sliceMs) * sliceMs;
    }
    for (;;) {
      const start: number = this.start;
      const earliest = this.earliestBuffered();
      if (Number.isFinite(earliest) && earliest < start + sliceMs) {
        if (start + sliceMs > complete) break;
        slices.push({ start, end: start + sliceMs, records: this.release(start + sliceMs) });
        this.start = start + sliceMs;
        continue;
      }
      // Nothing buffered in this slice: skip the empty ones up to the next record or what is complete.
      const limit = Math.min(
        Number.isFinite(earliest) ? Math.floor(earliest / sliceMs) * sliceMs : Number.POSITIVE_INFINITY,
        Number.isFinite(complete) ? Math.floor(complete / sliceMs) * sliceMs : Number.NEGATIVE_INFINITY,
      );
      if (limit <= start) break;
      if (!Number.isFinite(earliest) && limit - start < (this.options.idleSliceMs ?? 1_000)) break;
      slices.push({ start, end: limit, records: [] });
      this.start = limit;
    }
    return slices;
  }

  private release(end: number): StreamRecord[] {
    const out: Array<{ depth: number; record: StreamRecord }> = [];
    for (const buffer of this.shards.values()) {
      while (buffer.head < buffer.records.length && buffer.records[buffer.head].arrivedAt < end) {
        out.push({ depth: buffer.depth, record: buffer.records[buffer.head++] });
      }
      if (buffer.head > 4096 && buffer.head * 2 > buffer.records.length) {
        buffer.records = buffer.records.slice(buffer.head);
        buffer.head = 0;
      }
    }
    out.sort(
      (a, b) =>
        a.depth - b.depth ||
        (a.record.shardId < b.record.shardId ? -1 : a.record.shardId > b.record.shardId ? 1 : 0) ||
        compareSequenceNumbers(a.record.sequenceNumber, b.record.sequenceNumber),
    );
    return out.map((o) => o.record);
  }
}
