import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ArrivalSlicer } from '../../../resources/stream/arrival-slicer.js';
import { readRange } from '../../../resources/stream/read-range.js';
import { PUT_LIMITS, putRequests, RecordWriter } from '../../../resources/stream/record-writer.js';
import { ShardReader } from '../../../resources/stream/shard-reader.js';
import type { StreamRecord } from '../../../resources/stream/stream-transport.js';
import { isStreamFailure } from '../../../resources/stream/stream-transport-error.js';
import { faultyStreamTransport } from '../../support/faulty-stream-transport.js';
import { mulberry32 } from '../../support/seeded-random.js';
import { startTestKinesis, type TestKinesis } from '../../support/test-kinesis.js';

let kinesis: TestKinesis;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const entry = (i: number, key = `session-${i % 37}`) => ({
  partitionKey: key,
  data: encoder.encode(`record-${i}`),
});

beforeAll(async () => {
  kinesis = await startTestKinesis();
});
afterAll(async () => {
  await kinesis.stop();
});

async function readAll(transport: Awaited<ReturnType<TestKinesis['transport']>>): Promise<StreamRecord[]> {
  const records: StreamRecord[] = [];
  for (const shard of await transport.listShards()) {
    await readRange(transport, shard.shardId, { type: 'trim-horizon' }, '9'.repeat(80), (rs) =>
      records.push(...rs),
    );
  }
  return records;
}

describe('Kinesis transport against kinesalite', () => {
  test('records land once each with arrival times, sequence numbers and their shard', async () => {
    const transport = await kinesis.transport('basic', 2);
    const before = Date.now();
    const report = await new RecordWriter(transport).write(Array.from({ length: 1200 }, (_, i) => entry(i)));
    expect(report).toMatchObject({ written: 1200, failed: 0, resent: 0, requests: 3 });
    const records = await readAll(transport);
    expect(records.map((r) => decoder.decode(r.data)).sort()).toEqual(
      Array.from({ length: 1200 }, (_, i) => `record-${i}`).sort(),
    );
    expect(new Set(records.map((r) => r.shardId)).size).toBe(2);
    for (const r of records) expect(r.arrivedAt).toBeGreaterThanOrEqual(before - 1000);
    // NOTE: a partition key always maps to the same shard.
    const shardOfKey = new Map<string, string>();
    for (const r of records) {
      expect(shardOfKey.get(r.partitionKey) ?? r.shardId).toBe(r.shardId);
      shardOfKey.set(r.partitionKey, r.shardId);
    }
  });

  test('PutRecords batches stay within 500 entries and 5 MiB per request', () => {
    const big = { partitionKey: 'k', data: new Uint8Array(900 * 1024) };
    const sizes = putRequests([
      ...Array.from({ length: 1001 }, (_, i) => entry(i)),
      big,
      big,
      big,
      big,
      big,
      big,
      big,
    ]);
    expect(sizes.map((r) => r.length)).toEqual([500, 500, 6, 2]);
    for (const r of sizes) expect(r.length).toBeLessThanOrEqual(PUT_LIMITS.entries);
  });

  test('after a partial PutRecords failure only the failed entries are sent again, with backoff', async () => {
    const { transport, log } = faultyStreamTransport(await kinesis.transport('partial', 2), {
      putFailureShare: 0.3,
      random: mulberry32(7),
    });
    const delays: number[] = [];
    const writer = new RecordWriter(transport, {
      sleep: async () => {},
      random: () => 0.5,
      onRetry: (e) => delays.push(e.delayMs),
    });
    const report = await writer.write(Array.from({ length: 400 }, (_, i) => entry(i)));
    expect(report.failed).toBe(0);
    expect(report.written).toBe(400);
    // Every resent entry had failed: what was sent beyond the 400 is exactly what failed.
    expect(log.entriesSent - 400).toBe(log.entriesFailed);
    expect(report.resent).toBe(log.entriesFailed);
    expect(log.entriesFailed).toBeGreaterThan(50);
    // Backoff grows with the attempt (full jitter at random 0.5: half the exponential ceiling).
    expect(delays.slice(0, 3)).toEqual([25, 50, 100]);
    const stored = (await readAll(transport)).map((r) => decoder.decode(r.data));
    expect(stored.sort()).toEqual(Array.from({ length: 400 }, (_, i) => `record-${i}`).sort());
  });

  test('entries that keep failing are reported, not lost silently', async () => {
    const { transport } = faultyStreamTransport(await kinesis.transport('failing', 1), {
      putFailureShare: 1,
    });
    const report = await new RecordWriter(transport, { maxAttempts: 3, sleep: async () => {} }).write([
      entry(1),
      entry(2),
    ]);
    expect(report).toMatchObject({ written: 0, failed: 2, requests: 3 });
    expect(
      report.outcomes.every((o) => !o.ok && o.errorCode === 'ProvisionedThroughputExceededException'),
    ).toBe(true);
  });

  test('a throttled shard backs off on its own while the other shards are read', async () => {
    const inner = await kinesis.transport('throttled', 2);
    await new RecordWriter(inner).write(Array.from({ length: 200 }, (_, i) => entry(i)));
    const [a, b] = (await inner.listShards()).map((s) => s.shardId);
    const { transport, log } = faultyStreamTransport(inner, { throttleReads: { [a]: 3 } });
    let clock = 0;
    const reader = new ShardReader(transport, { now: () => clock, random: () => 1, backoffBaseMs: 100 });
    await reader.open(() => ({ type: 'trim-horizon' }));
    const first = await reader.read();
    expect(first.records.has(a)).toBe(false);
    expect(first.records.get(b)?.length).toBeGreaterThan(0);
    const cursorA = reader.shards().find((c) => c.shardId === a)!;
    expect(cursorA.backoffUntil).toBe(100);
    // Not due yet: the throttled shard is not read again before its backoff ends.
    await reader.read();
    expect(log.readsThrottled[a]).toBe(1);
    for (let i = 0; i < 6; i++) {
      clock += 1_000;
      const round = await reader.read();
      if (round.records.has(a)) break;
    }
    expect(log.readsThrottled[a]).toBe(3);
    expect(reader.shards().find((c) => c.shardId === a)!.throttled).toBe(3);
    expect(reader.shards().find((c) => c.shardId === a)!.lastRead).not.toBeNull();
  });

  test('an expired iterator is renewed after the last record read: nothing lost or read twice', async () => {
    const inner = await kinesis.transport('expiring', 1);
    await new RecordWriter(inner).write(Array.from({ length: 30 }, (_, i) => entry(i)));
    const [shard] = (await inner.listShards()).map((s) => s.shardId);
    const { transport, log } = faultyStreamTransport(inner, { expireIterators: { [shard]: 1 } });
    const reader = new ShardReader(transport, { limit: 10 });
    await reader.open(() => ({ type: 'trim-horizon' }));
    const seen: string[] = [];
    for (let i = 0; i < 3; i++)
      for (const r of (await reader.read()).records.get(shard) ?? []) seen.push(decoder.decode(r.data));
    await inner.putRecords(Array.from({ length: 5 }, (_, i) => entry(100 + i)));
    for (let i = 0; i < 4; i++)
      for (const r of (await reader.read()).records.get(shard) ?? []) seen.push(decoder.decode(r.data));
    expect(log.iteratorsExpired[shard]).toBe(1);
    expect(seen).toHaveLength(35);
    expect(new Set(seen).size).toBe(35);
  });

  test('kinesalite splits and merges shards: parents close, children name them, reading follows', async () => {
    const transport = await kinesis.transport('reshard', 1);
    await new RecordWriter(transport).write(Array.from({ length: 50 }, (_, i) => entry(i)));
    const [parent] = await transport.listShards();
    const middle = (BigInt(parent.startingHashKey) + BigInt(parent.endingHashKey)) / 2n;
    await transport.splitShard(parent.shardId, middle.toString());
    await transport.ensureStream(1);
    await new RecordWriter(transport).write(Array.from({ length: 50 }, (_, i) => entry(50 + i)));
    const afterSplit = await transport.listShards();
    expect(afterSplit).toHaveLength(3);
    const children = afterSplit.filter((s) => s.parentShardIds.includes(parent.shardId));
    expect(children).toHaveLength(2);
    expect(afterSplit.find((s) => s.shardId === parent.shardId)!.endingSequenceNumber).not.toBeNull();
    await transport.mergeShards(children[0].shardId, children[1].shardId);
    await transport.ensureStream(1);
    await new RecordWriter(transport).write(Array.from({ length: 50 }, (_, i) => entry(100 + i)));
    const afterMerge = await transport.listShards();
    const merged = afterMerge.find((s) => s.parentShardIds.length === 2)!;
    expect(merged.parentShardIds.sort()).toEqual(children.map((c) => c.shardId).sort());
    // The reader reads parents to their end (then they are ended) and finds the children.
    const reader = new ShardReader(transport);
    await reader.open(() => ({ type: 'trim-horizon' }));
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const round = await reader.read();
      for (const rs of round.records.values()) for (const r of rs) seen.add(decoder.decode(r.data));
    }
    expect(seen.size).toBe(150);
    expect(
      reader
        .shards()
        .filter((c) => c.ended)
        .map((c) => c.shardId)
        .sort(),
    ).toEqual([parent.shardId, ...children.map((c) => c.shardId)].sort());
  });

  test('the arrival slicer releases a slice only when every shard was read past its end', async () => {
    const slicer = new ArrivalSlicer({ sliceMs: 100, skewMs: 50 });
    slicer.addShard('a', 0);
    slicer.addShard('b', 0);
    const rec = (shardId: string, seq: number, arrivedAt: number): StreamRecord => ({
      shardId,
      sequenceNumber: String(1000 + seq),
      arrivedAt,
      partitionKey: 'k',
      data: new Uint8Array(),
    });
    slicer.add('a', [rec('a', 1, 1010), rec('a', 2, 1150)]);
    expect(slicer.takeReady()).toEqual([]);
    slicer.add('b', [rec('b', 1, 1020)]);
    expect(slicer.takeReady()).toEqual([]);
    slicer.caughtUp('b', 1160);
    const [slice] = slicer.takeReady();
    expect(slice).toMatchObject({ start: 1000, end: 1100 });
    expect(slice.records.map((r) => `${r.shardId}${r.sequenceNumber}`)).toEqual(['a1001', 'b1001']);
  });

  test('a missing stream is a clear error naming it', async () => {
    const other = (
      await import('../../../resources/stream/kinesis/kinesis-transport.js')
    ).createKinesisTransport({
      stream: 'no-such-stream',
      endpoint: kinesis.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    const error = await other.listShards().catch((e) => e);
    expect(isStreamFailure(error, 'not-found')).toBe(true);
    expect(error.message).toContain('no-such-stream');
    other.close();
  });
});
