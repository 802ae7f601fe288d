import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  HOSTNAME,
  type Plan,
  type PlanStep,
  ShopflowError,
  type ShopflowRuntime,
  WakeableSleep,
} from '../../framework/index.js';
import { type ArrivalSlice, ArrivalSlicer } from '../../resources/stream/arrival-slicer.js';
import { readRange } from '../../resources/stream/read-range.js';
import { ShardReader } from '../../resources/stream/shard-reader.js';
import type { ShardInfo, ShardPosition, StreamTransport } from '../../resources/stream/stream-transport.js';
import { DaemonLease, describeLeaseHolder } from '../../schedules/daemon-lease.js';
import { ClickWindowEngine } from './click-window-engine.js';
import type { ClickstreamSettings } from './clickstream-settings.js';
import {
  type CommitIntent,
  type ConsumerCheckpoint,
  consumerCheckpointName,
  STREAM_DASHBOARD_CHECKPOINT,
} from './consumer-checkpoint.js';
import { type StreamCommit, streamCommits } from './stream-commits.js';
import { buildDashboard, type StreamDashboard } from './stream-dashboard.js';
import {
  clickActiveUsers,
  clickDeadLetters,
  clickLateEvents,
  clickSessionsStream,
  clickStreamDays,
  clickWindowsMinute,
} from './stream-tables.js';
import type { WindowOutput } from './window-rows.js';
import { type WindowSettings, windowSettingsOf } from './window-settings.js';

/** Where a test can make the consumer die in the middle of a commit. */
export type ConsumerCrashPoint = 'after-intent' | 'after-lake-write' | 'after-checkpoint';

/** The error the default crash hook throws. */
export class ConsumerCrash extends Error {
  constructor(readonly point: ConsumerCrashPoint) {
    super(`simulated consumer crash ${point}`);
    this.name = 'ConsumerCrash';
  }
}

export interface ConsumerOptions {
  runtime: ShopflowRuntime;
  transport: StreamTransport;
  settings: ClickstreamSettings;
  log: Logger;
  /** Where a brand-new consumer starts: every retained record (default) or only new ones. */
  startAt?: 'trim-horizon' | 'latest';
  /** Late events and dead letters held before a commit is forced (default 5,000). */
  maxPendingRows?: number;
  /** How long (wall clock) late events and dead letters wait for a commit at most (default 5 s). */
  flushPendingMs?: number;
  /** How often the live dashboard is published, wall-clock ms (default 500). */
  publishEveryMs?: number;
  /** Test hook: die at `point` of the `nth` lake commit (1-based) of this consumer. */
  crashAt?: { point: ConsumerCrashPoint; nth: number };
  onCrash?: (point: ConsumerCrashPoint) => void;
  /** Wall clock (default Date.now). */
  now?: () => number;
  /** Told about every dashboard publication. */
  onPublish?: (dashboard: StreamDashboard) => void;
}

const TABLE_OF: Array<[keyof WindowOutput, string]> = [
  ['minuteWindows', clickWindowsMinute.key],
  ['activeUsers', clickActiveUsers.key],
  ['sessions', clickSessionsStream.key],
  ['lateEvents', clickLateEvents.key],
  ['deadLetters', clickDeadLetters.key],
  ['streamDays', clickStreamDays.key],
];

const LEASE_TTL_MS = 30_000;

/**
 * The clickstream consumer: reads every shard of the stream, cuts the records into slices of
 * arrival time, feeds them to the window engine and writes what closes into the stream's lake
 * tables, exactly once:
 *
 * 1. after every slice, one checkpoint record in the instance store (positions, watermark, close
 *    frontier, counters; open windows are not stored but rebuilt from the stream after a restart);
 * 2. a slice that closed windows first saves its *intent* (the records it covers) in that record,
 *    then writes the closed rows through the executor (ordinary materializations, upserting by
 *    key), then saves the checkpoint without the intent.
 *
 * A restart re-reads the records its open windows need, and when it finds an intent, re-reads
 * exactly that slice and writes the same rows again (the upsert makes that a no-op). One consumer
 * per stream: it holds a lease in the instance store.
 *
 * @example
 * const consumer = new ClickstreamConsumer({ runtime, transport, settings, log });
 * await consumer.start();
 * await consumer.run(); // until consumer.stop()
 */
export class ClickstreamConsumer {
  private readonly windows: WindowSettings;
  private readonly name: string;
  private readonly lease: DaemonLease;
  private readonly now: () => number;
  private engine!: ClickWindowEngine;
  private slicer!: ArrivalSlicer;
  private reader!: ShardReader;
  private checkpoint: ConsumerCheckpoint | null = null;
  private endedShards = new Set<string>();
  private depth = new Map<string, number>();
  private commits = 0;
  private stopping = false;
  private readonly pause = new WakeableSleep();
  private lastPublished = 0;
  private dashboardSeq = 0;
  private lastCommit: StreamDashboard['lastCommit'] = null;
  private readonly startedAt = new Date().toISOString();
  private leaseRenewedAt = 0;
  /** Wall-clock time late events or dead letters started waiting for a commit. */
  private pendingSince: number | null = null;

  constructor(private readonly options: ConsumerOptions) {
    this.windows = windowSettingsOf(options.settings);
    this.name = options.transport.stream;
    this.now = options.now ?? Date.now;
    this.lease = new DaemonLease({
      store: options.runtime.store,
      ttlMs: LEASE_TTL_MS,
      name: `stream-consumer:${this.name}`,
    });
  }

  /** Slices processed and lake commits made by this consumer. */
  readonly stats = { slices: 0, records: 0, commits: 0, rebuiltRecords: 0, redone: false };

  /**
   * Takes the stream's lease, restores the checkpoint, rebuilds the open windows from the stream,
   * finishes a commit left half done, and opens every shard at its position.
   */
  async start(): Promise<void> {
    const { runtime, transport, settings } = this.options;
    const acquired = await this.lease.acquire(new Date(this.now()));
    if (!acquired.acquired) {
      throw new ShopflowError(
        'SF_STREAM_CONSUMER_RUNNING',
        `another consumer reads stream \`${this.name}\`: ${describeLeaseHolder(acquired.holder)}`,
        { hint: 'stop it first; one consumer per stream keeps the windows exactly once' },
      );
    }
    this.leaseRenewedAt = this.now();
    this.checkpoint =
      (await runtime.store.getCheckpoint<ConsumerCheckpoint>(consumerCheckpointName(this.name))) ?? null;
    const previous = await runtime.store.getCheckpoint<StreamDashboard>(STREAM_DASHBOARD_CHECKPOINT);
    this.dashboardSeq = previous?.seq ?? 0;
    const state = this.checkpoint;
    this.engine = new ClickWindowEngine(this.windows, state?.engine);
    this.endedShards = new Set(state?.endedShards ?? []);
    this.slicer = new ArrivalSlicer({
      sliceMs: settings.sliceMillis,
      skewMs: settings.clockSkewMillis,
      nextStart: state?.nextSliceStart ?? null,
    });
    const shards = await transport.listShards();
    this.noteShards(shards);
    if (state) {
      await this.rebuild(state);
      if (state.intent) await this.redo(state.intent);
    }
    const processed = this.engine.positions();
    const fresh = state === null;
    this.reader = new ShardReader(transport, {
      limit: settings.readLimit,
      log: this.options.log,
      now: this.now,
    });
    const opened = await this.reader.open((shard): ShardPosition | 'skip' => {
      if (this.endedShards.has(shard.shardId)) return 'skip';
      const after = processed.get(shard.shardId);
      if (after !== undefined) return { type: 'after', sequenceNumber: after };
      if (fresh && shard.parentShardIds.every((p) => !this.depth.has(p)))
        return { type: this.options.startAt ?? 'trim-horizon' };
      return { type: 'trim-horizon' };
    });
    for (const shard of opened) this.slicer.addShard(shard.shardId, this.depth.get(shard.shardId) ?? 0);
    await this.publish(true);
  }

  private noteShards(shards: readonly ShardInfo[]): void {
    const parents = new Map(shards.map((s) => [s.shardId, s.parentShardIds]));
    const depthOf = (id: string, seen = new Set<string>()): number => {
      if (this.depth.has(id)) return this.depth.get(id)!;
      if (seen.has(id)) return 0;
      seen.add(id);
      const ps = parents.get(id) ?? [];
      const d = ps.length === 0 ? 0 : 1 + Math.max(...ps.map((p) => depthOf(p, seen)));
      return d;
    };
    for (const shard of shards) this.depth.set(shard.shardId, depthOf(shard.shardId));
    this.engine.registerShards(shards);
  }

  /** Re-reads, per shard (parents first), the records the open windows were built from. */
  private async rebuild(state: ConsumerCheckpoint): Promise<void> {
    const replay = Object.entries(state.engine.replayFrom).sort(
      ([a], [b]) => (this.depth.get(a) ?? 0) - (this.depth.get(b) ?? 0) || (a < b ? -1 : 1),
    );
    for (const [shardId, from] of replay) {
      const through = state.engine.processed[shardId];
      if (through === undefined) continue;
      this.stats.rebuiltRecords += await readRange(
        this.options.transport,
        shardId,
        { type: 'at', sequenceNumber: from },
        through,
        (records) => this.engine.rebuild(records),
      );
    }
    this.engine.finishRebuild();
    this.options.log.info(
      { stream: this.name, records: this.stats.rebuiltRecords },
      'rebuilt the open windows from the stream',
    );
  }

  /** Re-reads exactly the slice of a commit that did not finish, and commits it again. */
  private async redo(intent: CommitIntent): Promise<void> {
    const records: ArrivalSlice['records'] = [];
    const processed = this.engine.positions();
    for (const [shardId, through] of Object.entries(intent.through)) {
      const after = processed.get(shardId);
      if (after === through) continue;
      await readRange(
        this.options.transport,
        shardId,
        after === undefined ? { type: 'trim-horizon' } : { type: 'after', sequenceNumber: after },
        through,
        (rs) => {
          for (const r of rs) records.push(r);
        },
      );
    }
    const depth = (id: string) => this.depth.get(id) ?? 0;
    records.sort(
      (a, b) =>
        depth(a.shardId) - depth(b.shardId) ||
        (a.shardId < b.shardId ? -1 : a.shardId > b.shardId ? 1 : 0) ||
        a.sequenceNumber.length - b.sequenceNumber.length ||
        (a.sequenceNumber < b.sequenceNumber ? -1 : 1),
    );
    this.stats.redone = true;
    this.options.log.info(
      { stream: this.name, epoch: intent.epoch, records: records.length },
      'redoing an unfinished commit',
    );
    await this.processSlice({ start: intent.start, end: intent.end, records }, intent.epoch);
    this.slicer = new ArrivalSlicer({
      sliceMs: this.options.settings.sliceMillis,
      skewMs: this.options.settings.clockSkewMillis,
      nextStart: intent.end,
    });
  }

  /** Processes one slice: engine, then a lake commit if due, then the checkpoint. */
  private async processSlice(slice: ArrivalSlice, redoEpoch?: number, flush = false): Promise<void> {
    this.engine.processSlice(slice);
    this.stats.slices++;
    this.stats.records += slice.records.length;
    const epoch = redoEpoch ?? (this.checkpoint?.epoch ?? 0) + 1;
    const pending = this.engine.pendingRows;
    if (pending === 0) this.pendingSince = null;
    else this.pendingSince ??= this.now();
    const due =
      redoEpoch !== undefined ||
      this.engine.commitDue ||
      (pending > 0 && flush) ||
      pending >= (this.options.maxPendingRows ?? 5_000) ||
      (this.pendingSince !== null &&
        this.now() - this.pendingSince >= (this.options.flushPendingMs ?? 5_000));
    if (due) {
      const intent: CommitIntent = {
        epoch,
        start: slice.start,
        end: slice.end,
        through: Object.fromEntries(this.engine.positions()),
      };
      const from = this.checkpoint?.engine.processed ?? {};
      if (redoEpoch === undefined) await this.save({ ...this.baseCheckpoint(), intent });
      this.crash('after-intent');
      const output = this.engine.takeOutput();
      const runId = await this.writeToLake(output, {
        stream: this.name,
        epoch,
        shards: Object.fromEntries(
          Object.entries(intent.through).map(([shard, to]) => [shard, { from: from[shard] ?? null, to }]),
        ),
        rows: new Map(),
      });
      this.crash('after-lake-write');
      this.engine.markFlushed();
      this.pendingSince = null;
      await this.save({ ...this.freshCheckpoint(slice.end), epoch, intent: null });
      this.lastCommit = { epoch, at: new Date(this.now()).toISOString(), runId };
      this.stats.commits++;
      this.crash('after-checkpoint');
    } else {
      await this.save({ ...this.freshCheckpoint(slice.end), intent: null });
    }
  }

  private crash(point: ConsumerCrashPoint): void {
    if (point === 'after-intent') this.commits++;
    const plan = this.options.crashAt;
    if (!plan || plan.point !== point || this.commits !== plan.nth) return;
    (
      this.options.onCrash ??
      ((p) => {
        throw new ConsumerCrash(p);
      })
    )(point);
  }

  private baseCheckpoint(): ConsumerCheckpoint {
    return (
      this.checkpoint ?? {
        version: 1,
        stream: this.name,
        epoch: 0,
        engine: new ClickWindowEngine(this.windows).state(),
        nextSliceStart: null,
        endedShards: [],
        intent: null,
        savedAt: new Date(this.now()).toISOString(),
      }
    );
  }

  private freshCheckpoint(nextSliceStart: number): ConsumerCheckpoint {
    return {
      version: 1,
      stream: this.name,
      epoch: this.checkpoint?.epoch ?? 0,
      engine: this.engine.state(),
      nextSliceStart,
      endedShards: [...this.endedShards],
      intent: null,
      savedAt: new Date(this.now()).toISOString(),
    };
  }

  private async save(checkpoint: ConsumerCheckpoint): Promise<void> {
    // NOTE: fencing: a consumer that lost its lease (stalled past the TTL) must not write.
    await this.keepLease();
    await this.options.runtime.store.setCheckpoint(consumerCheckpointName(this.name), checkpoint);
    this.checkpoint = checkpoint;
  }

  /**
   * Renews the stream's lease when a third of its TTL has passed (also while the stream is idle, so
   * the lease says this consumer is alive); throws when another consumer took it over.
   */
  private async keepLease(): Promise<void> {
    if (this.now() - this.leaseRenewedAt > LEASE_TTL_MS / 3) {
      const renewed = await this.lease.acquire(new Date(this.now()));
      if (!renewed.acquired) {
        throw new ShopflowError(
          'SF_STREAM_CONSUMER_RUNNING',
          `this consumer lost the lease of stream \`${this.name}\` to ${describeLeaseHolder(renewed.holder)}`,
          { hint: 'it stops without writing; the other consumer goes on' },
        );
      }
      this.leaseRenewedAt = this.now();
    }
  }

  /** Writes the rows of a commit as materializations of the stream tables; returns the run id. */
  private async writeToLake(output: WindowOutput, commit: StreamCommit): Promise<string | null> {
    const { runtime } = this.options;
    const steps: PlanStep[] = [];
    for (const [field, assetKey] of TABLE_OF) {
      const byDay = new Map<string, unknown[]>();
      for (const { day, row } of output[field] as Array<{ day: string; row: unknown }>) {
        const rows = byDay.get(day) ?? [];
        rows.push(row);
        byDay.set(day, rows);
      }
      if (byDay.size === 0) continue;
      commit.rows.set(assetKey, byDay);
      for (const day of [...byDay.keys()].sort()) {
        steps.push({
          key: `${assetKey}[${day}]`,
          assetKey,
          partitionKey: day,
          reasons: [{ code: 'forced', message: `stream ${this.name} commit ${commit.epoch}` }],
          dependsOn: [],
          blockedBy: [],
        });
      }
    }
    if (steps.length === 0) return null;
    const plan: Plan = {
      selection: `stream:${this.name}`,
      partitions: null,
      createdAt: new Date(this.now()).toISOString(),
      steps,
      upToDate: 0,
      assets: [...new Set(steps.map((s) => s.assetKey))],
    };
    const runId = randomUUID();
    const registry = await runtime.resources.get(streamCommits);
    const release = registry.register(runId, commit);
    try {
      const result = await runtime.execute(plan, {
        runId,
        tags: { stream: this.name, epoch: String(commit.epoch) },
      });
      if (result.status !== 'success') {
        throw new ShopflowError(
          'SF_RUN_FAILED',
          `stream commit ${commit.epoch} (run ${runId}) failed: ${result.error}`,
          { hint: 'the consumer restarts from its checkpoint and writes the commit again' },
        );
      }
    } finally {
      release();
    }
    return runId;
  }

  /** One round: read every shard once, process the slices that are complete. Returns records read. */
  async step(): Promise<number> {
    const round = await this.reader.read();
    if (round.discovered.length > 0) {
      this.noteShards(await this.options.transport.listShards());
      for (const shard of round.discovered)
        this.slicer.addShard(shard.shardId, this.depth.get(shard.shardId) ?? 0);
    }
    let read = 0;
    for (const [shardId, records] of round.records) {
      this.slicer.add(shardId, records);
      read += records.length;
    }
    for (const [shardId, at] of round.caughtUpAt) this.slicer.caughtUp(shardId, at);
    for (const shardId of round.ended) this.slicer.ended(shardId);
    for (const slice of this.slicer.takeReady()) {
      await this.processSlice(slice);
      this.forgetEndedShards(slice.end);
    }
    await this.publish(false);
    return read;
  }

  /** Shards closed, read to their end, processed and quiet are not read or tracked any more. */
  private forgetEndedShards(tau: number): void {
    const idle = new Set(this.engine.idleShards(tau));
    const drained = this.slicer.drained().filter((id) => idle.has(id));
    if (drained.length === 0) return;
    for (const id of drained) {
      this.slicer.forget(id);
      this.reader.forget(id);
      this.endedShards.add(id);
    }
    this.engine.forgetShards(drained);
  }

  /** Runs rounds until {@link stop}; waits `pollMillis` after a round that read nothing. */
  async run(): Promise<void> {
    try {
      while (!this.stopping) {
        const read = await this.step();
        if (this.stopping) break;
        await this.keepLease();
        if (read === 0) {
          const wait = Math.max(
            this.options.settings.pollMillis,
            Math.min(this.reader.nextDueAt() - this.now(), 5_000),
          );
          await this.pause.sleep(wait);
        }
      }
      await this.flush();
    } finally {
      await this.close();
    }
  }

  /** Asks {@link run} to finish after the current round. */
  stop(): void {
    this.stopping = true;
    this.pause.wake();
  }

  /**
   * Commits the late events and dead letters still waiting (as an empty slice at the end of the
   * last one), so a graceful stop leaves nothing pending.
   */
  async flush(): Promise<void> {
    const end = this.slicer?.nextStart;
    if (!this.engine || this.engine.pendingRows === 0 || end === null || end === undefined) return;
    await this.processSlice({ start: end, end, records: [] }, undefined, true);
  }

  /** Publishes the final dashboard and releases the lease. */
  async close(): Promise<void> {
    await this.publish(true, 'stopped').catch(() => {});
    await this.lease.release().catch(() => {});
  }

  /** The live dashboard as of now. */
  dashboard(state: 'running' | 'stopped' = 'running'): StreamDashboard {
    return buildDashboard({
      stream: this.name,
      seq: this.dashboardSeq,
      now: this.now(),
      engine: this.engine,
      cursors: this.reader?.shards() ?? [],
      buffered: this.slicer.buffered,
      consumer: {
        pid: process.pid,
        hostname: HOSTNAME,
        startedAt: this.startedAt,
        state,
        lease: this.lease.name,
      },
      lastCheckpointAt: this.checkpoint?.savedAt ?? null,
      lastCommit: this.lastCommit,
    });
  }

  private async publish(force: boolean, state: 'running' | 'stopped' = 'running'): Promise<void> {
    const now = this.now();
    if (!force && now - this.lastPublished < (this.options.publishEveryMs ?? 500)) return;
    this.lastPublished = now;
    this.dashboardSeq++;
    const dashboard = this.dashboard(state);
    await this.options.runtime.store.setCheckpoint(STREAM_DASHBOARD_CHECKPOINT, dashboard);
    this.options.onPublish?.(dashboard);
  }

  /** Records read and waiting for their slice to complete. */
  get buffered(): number {
    return this.slicer?.buffered ?? 0;
  }
}
