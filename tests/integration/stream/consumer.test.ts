import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import shopflow from '../../../assets/definitions.js';
import {
  ClickstreamConsumer,
  ConsumerCrash,
  type ConsumerCrashPoint,
} from '../../../assets/streaming/clickstream-consumer.js';
import { ClickstreamSettingsSchema } from '../../../assets/streaming/clickstream-settings.js';
import {
  type ConsumerCheckpoint,
  consumerCheckpointName,
} from '../../../assets/streaming/consumer-checkpoint.js';
import type { StreamDashboard } from '../../../assets/streaming/stream-dashboard.js';
import type { ShopflowRuntime } from '../../../framework/index.js';
import { RecordWriter } from '../../../resources/stream/record-writer.js';
import { openTestRuntime, silentLog, tempHome } from '../../support/example-runtime.js';
import { faultyStreamTransport } from '../../support/faulty-stream-transport.js';
import { startTestKinesis, type TestKinesis } from '../../support/test-kinesis.js';
import {
  bruteForce,
  closeAll,
  consumeUntilIdle,
  lakeRows,
  lakeTables,
  produce,
  sortedTables,
  streamRecords,
  testStreamSettings,
} from './stream-fixture.js';

let kinesis: TestKinesis;
const homes: Array<{ cleanup(): void }> = [];
const runtimes: ShopflowRuntime[] = [];

async function freshRuntime(): Promise<ShopflowRuntime> {
  const home = tempHome('shopflow-stream-');
  homes.push(home);
  const runtime = await openTestRuntime(shopflow, home.home);
  runtimes.push(runtime);
  return runtime;
}

beforeAll(async () => {
  kinesis = await startTestKinesis();
});
afterAll(async () => {
  for (const r of runtimes) await r.close();
  for (const h of homes) h.cleanup();
  await kinesis.stop();
});

describe('clickstream consumer on a real Kinesis API', () => {
  let uninterrupted: ReturnType<typeof sortedTables>;

  test('the lake tables equal a brute-force recomputation over the records in the stream', async () => {
    const transport = await kinesis.transport('day', 2);
    const sent = await produce(transport);
    expect(sent.failed).toBe(0);
    await closeAll(transport);
    const settings = testStreamSettings('day');
    const runtime = await freshRuntime();
    const service = await consumeUntilIdle(runtime, transport, settings);
    expect(service.totals.commits).toBeGreaterThanOrEqual(3);
    const stream = await streamRecords(transport);
    const expected = sortedTables(bruteForce(stream, settings));
    uninterrupted = sortedTables(await lakeTables(runtime));
    expect(uninterrupted).toEqual(expected);
    // Not vacuous: every kind of row is there, and what the producer sent is accounted for.
    for (const rows of Object.values(uninterrupted)) expect(rows.length).toBeGreaterThan(0);
    expect(uninterrupted.deadLetters.length).toBe(sent.malformed);
    const accepted = uninterrupted.streamDays.reduce((sum, [, n]) => sum + Number(n), 0);
    expect(accepted + uninterrupted.lateEvents.length).toBe(sent.events);

    // Ordinary materializations, with the positions they cover as lineage.
    const [latest] = await runtime.store.listMaterializations({ assetKey: 'click_windows_minute', limit: 1 });
    const shards = latest.metadata.shards as Record<string, { from: string | null; to: string }>;
    expect(Object.keys(shards).sort()).toEqual(stream.parents ? Object.keys(stream.parents).sort() : []);
    expect(latest.metadata).toMatchObject({ stream: 'day' });
    const checkpoint = await runtime.store.getCheckpoint<ConsumerCheckpoint>(consumerCheckpointName('day'));
    expect(checkpoint?.intent).toBeNull();
    expect(checkpoint?.epoch).toBe(service.totals.commits);

    // The live dashboard is published to the instance store.
    const dashboard = await runtime.store.getCheckpoint<StreamDashboard>('stream.dashboard');
    expect(dashboard).toMatchObject({ stream: 'day', totals: { deadLetters: sent.malformed } });
    expect(dashboard!.totals.late).toBe(uninterrupted.lateEvents.length);
    expect(dashboard!.consumer.state).toBe('stopped');
  });

  const points: ConsumerCrashPoint[] = ['after-intent', 'after-lake-write', 'after-checkpoint'];
  test.each(points)('killed %s of a commit and restarted, it writes the same lake data', async (point) => {
    const transport = await kinesis.transport('day', 2);
    const settings = testStreamSettings('day');
    const runtime = await freshRuntime();
    const crash = await consumeUntilIdle(runtime, transport, settings, { crashAt: { point, nth: 2 } }).catch(
      (e) => e,
    );
    expect(crash).toBeInstanceOf(ConsumerCrash);
    const checkpoint = await runtime.store.getCheckpoint<ConsumerCheckpoint>(consumerCheckpointName('day'));
    expect(checkpoint?.intent !== null).toBe(point !== 'after-checkpoint');
    const restarted = await consumeUntilIdle(runtime, transport, settings);
    if (point !== 'after-checkpoint') expect(restarted.totals.commits).toBeGreaterThan(0);
    expect(sortedTables(await lakeTables(runtime))).toEqual(uninterrupted);
  });

  test('throttled reads and expired iterators change nothing in the lake', async () => {
    const inner = await kinesis.transport('day', 2);
    const shards = (await inner.listShards()).map((s) => s.shardId);
    const { transport, log } = faultyStreamTransport(inner, {
      throttleReads: { [shards[0]]: 4 },
      expireIterators: { [shards[1]]: 2 },
    });
    const runtime = await freshRuntime();
    await consumeUntilIdle(runtime, transport, testStreamSettings('day'));
    expect(log.readsThrottled[shards[0]]).toBe(4);
    expect(log.iteratorsExpired[shards[1]]).toBe(2);
    expect(sortedTables(await lakeTables(runtime))).toEqual(uninterrupted);
  });

  test('one consumer per stream: a second one is refused while the first runs', async () => {
    const transport = await kinesis.transport('day', 2);
    const runtime = await freshRuntime();
    const settings = testStreamSettings('day');
    const first = new ClickstreamConsumer({ runtime, transport, settings, log: silentLog });
    await first.start();
    const second = new ClickstreamConsumer({ runtime, transport, settings, log: silentLog });
    await expect(second.start()).rejects.toMatchObject({ code: 'SF_STREAM_CONSUMER_RUNNING' });
    await first.close();
    await second.start();
    await second.close();
  });

  test('a shard split and a merge while consuming lose and duplicate nothing', async () => {
    const transport = await kinesis.transport('resharded', 2);
    const settings = testStreamSettings('resharded');
    const runtime = await freshRuntime();
    await produce(transport, { date: '2024-01-20', seed: 3 });
    const consumer = new ClickstreamConsumer({ runtime, transport, settings, log: silentLog });
    await consumer.start();
    for (let i = 0; i < 5; i++) await consumer.step();
    const [first, second] = await transport.listShards();
    const middle = (BigInt(first.startingHashKey) + BigInt(first.endingHashKey)) / 2n;
    await transport.splitShard(first.shardId, middle.toString());
    await transport.ensureStream(2);
    await produce(transport, { date: '2024-01-21', seed: 4 });
    for (let i = 0; i < 5; i++) await consumer.step();
    const children = (await transport.listShards()).filter((s) => s.parentShardIds.includes(first.shardId));
    expect(children).toHaveLength(2);
    await transport.mergeShards(children[0].shardId, children[1].shardId);
    await transport.ensureStream(2);
    await produce(transport, { date: '2024-01-22', seed: 5 });
    await closeAll(transport);
    let quiet = 0;
    while (quiet < 60) {
      const read = await consumer.step();
      quiet = read === 0 && consumer.buffered === 0 ? quiet + 1 : 0;
      await new Promise((r) => setTimeout(r, 50));
    }
    await consumer.close();
    const stream = await streamRecords(transport);
    expect(Object.values(stream.parents).filter((p) => p.length === 2)).toHaveLength(1);
    expect(stream.records.some((r) => stream.parents[r.shardId].length === 2)).toBe(true);
    const expected = sortedTables(bruteForce(stream, settings));
    expect(sortedTables(await lakeTables(runtime))).toEqual(expected);
    void second;
  });

  test('malformed records go to the dead letters with shard, sequence number and reason; the consumer goes on', async () => {
    const transport = await kinesis.transport('garbage', 1);
    const encoder = new TextEncoder();
    const good = (i: number) =>
      encoder.encode(
        JSON.stringify({
          event_id: `g${i}`,
          event_type: 'page_view',
          session_id: 's1',
          anonymous_id: 'd1',
          customer_id: null,
          product_id: null,
          price: null,
          page: '/',
          device_ts: new Date(Date.now() - 10 * 60_000 + i).toISOString(),
          sent_ts: new Date().toISOString(),
        }),
      );
    const bad = [
      'not json',
      JSON.stringify({ event_id: 'x', event_type: 'page_view' }),
      JSON.stringify({ event_type: 'teleport' }),
    ];
    const report = await new RecordWriter(transport).write([
      { partitionKey: 's1', data: good(1) },
      ...bad.map((b) => ({ partitionKey: 's1', data: encoder.encode(b) })),
      { partitionKey: 's1', data: good(2) },
    ]);
    expect(report.written).toBe(5);
    await closeAll(transport);
    const runtime = await freshRuntime();
    await consumeUntilIdle(runtime, transport, testStreamSettings('garbage'));
    const dead = (await lakeRows(runtime, 'click_dead_letters')).map((r) => r.row);
    expect(dead.map((r) => r.reason).sort()).toEqual([
      'missing field `session_id`',
      'not UTF-8 JSON',
      'unknown event_type `teleport`',
    ]);
    for (const r of dead) {
      expect(r.shard_id).toBe('shardId-000000000000');
      expect(String(r.sequence_number)).toMatch(/^\d{20,}$/);
    }
    const minutes = (await lakeRows(runtime, 'click_windows_minute')).map((r) => r.row);
    expect(minutes.reduce((sum, r) => sum + Number(r.events), 0)).toBe(2);
  });

  test('settings are validated with the field named', () => {
    const result = ClickstreamSettingsSchema.safeParse({ sliceMillis: 5 });
    expect(result.success).toBe(false);
  });
});
