import type { ConsumerOptions } from '../../../assets/streaming/clickstream-consumer.js';
import { type ProduceReport, produceClickstream } from '../../../assets/streaming/clickstream-producer.js';
import {
  type ClickstreamSettings,
  ClickstreamSettingsSchema,
} from '../../../assets/streaming/clickstream-settings.js';
import { type ClickEventSource, ReplayedDay } from '../../../assets/streaming/clickstream-sources.js';
import type { ClientBehaviourOptions } from '../../../assets/streaming/client-behaviour.js';
import { ConsumerService } from '../../../assets/streaming/consumer-service.js';
import { sendHeartbeats } from '../../../assets/streaming/heartbeats.js';
import { streamTables } from '../../../assets/streaming/stream-tables.js';
import { windowSettingsOf } from '../../../assets/streaming/window-settings.js';
import type { ShopflowRuntime } from '../../../framework/index.js';
import { readRange } from '../../../resources/stream/read-range.js';
import { compareSequenceNumbers } from '../../../resources/stream/sequence-number.js';
import type { StreamRecord, StreamTransport } from '../../../resources/stream/stream-transport.js';
import { silentLog } from '../../support/example-runtime.js';
import { bruteForceWindows, type Tables } from '../../unit/streaming/brute-force-windows.js';
import { seeded } from '../../unit/streaming/engine-harness.js';

/** Consumer settings for tests: quick slices and polls, shards idle after 2 s. */
export function testStreamSettings(
  name: string,
  overrides: Partial<ClickstreamSettings> = {},
): ClickstreamSettings {
  return ClickstreamSettingsSchema.parse({
    name,
    sliceMillis: 200,
    pollMillis: 20,
    idleShardSeconds: 2,
    clockSkewMillis: 0,
    ...overrides,
  });
}

export const MISBEHAVING: ClientBehaviourOptions = {
  disorderShare: 0.1,
  lateShare: 0.05,
  duplicateShare: 0.05,
  malformedShare: 0.02,
  // NOTE: a replayed day is sparse (one event every few minutes): hold late events back for hours.
  lateDelaySeconds: [3 * 3600, 6 * 3600],
};

/** Sends `source` (default: a replayed simulated day) to the stream, spread over about a second. */
export async function produce(
  transport: StreamTransport,
  options: {
    date?: string;
    seed?: number;
    source?: ClickEventSource;
    behaviour?: ClientBehaviourOptions;
  } = {},
): Promise<ProduceReport> {
  const source = options.source ?? new ReplayedDay({ seed: 7, scale: 0.6 }, options.date ?? '2024-01-15');
  return await produceClickstream({
    transport,
    source,
    rate: 300,
    behaviour: { ...(options.behaviour ?? MISBEHAVING), random: seeded(options.seed ?? 11) },
    tickMs: 20,
  });
}

/** A heartbeat to every shard now: the consumer's watermark passes everything sent before. */
export async function closeAll(transport: StreamTransport): Promise<void> {
  await sendHeartbeats(transport, Date.now());
}

/** Runs a consumer until the stream has been quiet for `idleMs`; rethrows what stopped it early. */
export async function consumeUntilIdle(
  runtime: ShopflowRuntime,
  transport: StreamTransport,
  settings: ClickstreamSettings,
  consumer: Partial<Omit<ConsumerOptions, 'runtime' | 'transport' | 'settings' | 'log'>> = {},
  idleMs = 3_000,
): Promise<ConsumerService> {
  const service = new ConsumerService({
    runtime,
    settings,
    home: runtime.config.home,
    log: silentLog,
    transport,
    untilIdleMs: idleMs,
    consumer,
    maxFailures: 0,
  });
  await service.run();
  return service;
}

/** Every record in the stream, and each shard's parents. */
export async function streamRecords(
  transport: StreamTransport,
): Promise<{ records: StreamRecord[]; parents: Record<string, string[]> }> {
  const records: StreamRecord[] = [];
  const parents: Record<string, string[]> = {};
  for (const shard of await transport.listShards()) {
    parents[shard.shardId] = shard.parentShardIds;
    await readRange(transport, shard.shardId, { type: 'trim-horizon' }, '9'.repeat(80), (rs) =>
      records.push(...rs),
    );
  }
  return { records, parents };
}

/**
 * The brute-force tables of the stream's records cut the way the consumer cuts them: slices of
 * `sliceMillis` of arrival time, then a last slice far ahead (the idle stream's clock moving on).
 */
export function bruteForce(
  stream: { records: StreamRecord[]; parents: Record<string, string[]> },
  settings: ClickstreamSettings,
): Tables {
  const depth = (id: string): number =>
    stream.parents[id]?.length ? 1 + Math.max(...stream.parents[id].map(depth)) : 0;
  const sorted = [...stream.records].sort((a, b) => a.arrivedAt - b.arrivedAt);
  const slices = new Map<number, StreamRecord[]>();
  for (const r of sorted) {
    const start = Math.floor(r.arrivedAt / settings.sliceMillis) * settings.sliceMillis;
    slices.set(start, [...(slices.get(start) ?? []), r]);
  }
  const ordered = [...slices.entries()]
    .sort(([a], [b]) => a - b)
    .map(([start, records]) => ({
      start,
      end: start + settings.sliceMillis,
      records: records.sort(
        (x, y) =>
          depth(x.shardId) - depth(y.shardId) ||
          (x.shardId < y.shardId ? -1 : x.shardId > y.shardId ? 1 : 0) ||
          compareSequenceNumbers(x.sequenceNumber, y.sequenceNumber),
      ),
    }));
  const last = ordered[ordered.length - 1].end;
  ordered.push({ start: last, end: last + 7 * 86_400_000, records: [] });
  return bruteForceWindows(ordered, windowSettingsOf(settings), stream.parents);
}

const iso = (v: unknown) => new Date(String(v).replace(' ', 'T').replace(/\+00$/, 'Z')).toISOString();
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** Every row the stream tables hold, keyed and valued like the brute force's tables. */
export async function lakeTables(runtime: ShopflowRuntime): Promise<Tables> {
  const tables: Tables = {
    minuteWindows: new Map(),
    activeUsers: new Map(),
    sessions: new Map(),
    lateEvents: new Map(),
    deadLetters: new Map(),
    streamDays: new Map(),
  };
  for (const asset of streamTables) {
    for (const { partitionKey, row } of await lakeRows(runtime, asset.key)) {
      const r = row as Record<string, unknown>;
      switch (asset.key) {
        case 'click_windows_minute':
          tables.minuteWindows.set(
            `${iso(r.window_start)}|${r.event_type}|${r.product_id ?? ''}`,
            `${num(r.events)}/${num(r.value)}`,
          );
          break;
        case 'click_active_users':
          tables.activeUsers.set(iso(r.window_start), `${num(r.active_users)}/${num(r.signed_in_users)}`);
          break;
        case 'click_sessions_stream':
          tables.sessions.set(
            `${r.session_id}|${iso(r.session_start)}`,
            JSON.stringify([
              iso(r.session_end),
              num(r.customer_id),
              r.anonymous_id,
              num(r.events),
              num(r.pages),
              num(r.product_views),
              num(r.cart_adds),
              num(r.purchases),
              num(r.revenue),
            ]),
          );
          break;
        case 'click_late_events':
          tables.lateEvents.set(`${r.shard_id}/${r.sequence_number}`, `${r.event_id}@${iso(r.frontier)}`);
          break;
        case 'click_dead_letters':
          tables.deadLetters.set(`${r.shard_id}/${r.sequence_number}`, String(r.reason));
          break;
        case 'click_stream_days':
          tables.streamDays.set(`${partitionKey}|${r.event_type}`, String(num(r.events)));
          break;
      }
    }
  }
  return tables;
}

/** The rows of every materialized partition of a lake asset. */
export async function lakeRows(
  runtime: ShopflowRuntime,
  assetKey: string,
): Promise<Array<{ partitionKey: string | null; row: Record<string, unknown> }>> {
  const asset = runtime.graph.get(assetKey);
  const states = (await runtime.store.listAssetPartitionStates([assetKey])).filter(
    (s) => s.materializationId,
  );
  const duckdb = await runtime.engine.session();
  const out: Array<{ partitionKey: string | null; row: Record<string, unknown> }> = [];
  try {
    for (const state of states) {
      const { rows } = await asset.io.preview(
        runtime.ioContext(assetKey, state.partitionKey, duckdb),
        state.partitionKey,
        1_000_000,
      );
      for (const row of rows) out.push({ partitionKey: state.partitionKey, row });
    }
  } finally {
    duckdb.close();
  }
  return out;
}

/** Tables as sorted entry lists, for readable diffs. */
export function sortedTables(tables: Tables): Record<string, Array<[string, string]>> {
  return Object.fromEntries(
    Object.entries(tables).map(([name, map]) => [
      name,
      [...(map as Map<string, string>)].sort(([a], [b]) => (a < b ? -1 : 1)),
    ]),
  );
}
