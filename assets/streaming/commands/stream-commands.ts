import type { CommandContext, CommandDefinition } from '../../../framework/index.js';
import { ShopflowError } from '../../../framework/index.js';
import { kinesisEndpointOverride } from '../../../resources/stream/kinesis/kinesis-error.js';
import {
  localKinesisStatus,
  stopLocalKinesis,
} from '../../../resources/stream/local/local-kinesis-server.js';
import { localKinesisDir, openStreamTransport } from '../../../resources/stream/open-stream-transport.js';
import { onInterrupt } from '../../../schedules/commands/interrupt-signals.js';
import { produceClickstream } from '../clickstream-producer.js';
import { type ConsumerCheckpoint, consumerCheckpointName } from '../consumer-checkpoint.js';
import { ConsumerService } from '../consumer-service.js';
import { sendHeartbeats } from '../heartbeats.js';
import type { StreamDashboard } from '../stream-dashboard.js';
import {
  durationOption,
  generatorOptions,
  rateOption,
  shareOption,
  streamSettings,
} from './stream-options.js';

function line(context: CommandContext, json: Record<string, unknown>, text: string): void {
  const machine = context.json || context.stdout.isTTY !== true;
  context.stdout.write(machine ? `${JSON.stringify(json)}\n` : `${text}\n`);
}

/** `shopflow stream produce`: simulated shoppers (or a replayed day) into the stream. */
export const streamProduceCommand: CommandDefinition = {
  name: 'stream produce',
  description: 'send live clickstream events (or one simulated day with --day) to the stream',
  options: [
    { flags: '--rate <n>', description: 'events per second, e.g. 1000 or 1000/s', defaultValue: '100' },
    {
      flags: '--duration <d>',
      description: 'stop after this long, e.g. 90s, 5m (default: until interrupted)',
    },
    { flags: '--day <date>', description: 'replay the clickstream of this simulated day (YYYY-MM-DD)' },
    { flags: '--disorder <share>', description: 'share of events sent out of order', defaultValue: '0.05' },
    {
      flags: '--late <share>',
      description: 'share of events held back past their window',
      defaultValue: '0.01',
    },
    { flags: '--duplicates <share>', description: 'share of events sent twice', defaultValue: '0.01' },
    {
      flags: '--malformed <share>',
      description: 'share of extra records that are not valid events',
      defaultValue: '0.001',
    },
    {
      flags: '--heartbeat',
      description:
        'then send a heartbeat to every shard: the consumer closes every window of the events sent',
    },
  ],
  async run(context, _args, options) {
    const settings = streamSettings(context);
    const rate = rateOption(options.rate);
    const durationMs = durationOption('--duration', options.duration);
    const generator = generatorOptions(context);
    const day = options.day as string | undefined;
    // NOTE: the simulator (and Faker) load only when events are produced, not with the definitions.
    const { LiveClickstream, ReplayedDay } = await import('../clickstream-sources.js');
    const source = day ? new ReplayedDay(generator, day) : new LiveClickstream(generator, rate);
    const transport = await openStreamTransport(settings, context.home);
    let stopped = false;
    const dispose = onInterrupt(() => {
      stopped = true;
    });
    try {
      const report = await produceClickstream({
        transport,
        source,
        rate,
        durationMs,
        stopped: () => stopped,
        behaviour: {
          disorderShare: shareOption('--disorder', options.disorder),
          lateShare: shareOption('--late', options.late),
          duplicateShare: shareOption('--duplicates', options.duplicates),
          malformedShare: shareOption('--malformed', options.malformed),
        },
        writer: {
          onRetry: (e) =>
            context.log.debug(e, `resending ${e.entries} failed entries (${e.errorCodes.join(', ')})`),
        },
        onProgress: (r) =>
          line(
            context,
            { type: 'progress', ...r },
            `${r.seconds.toFixed(0).padStart(5)} s  ${r.events} events, ${r.written} records written, ${r.resent} resent`,
          ),
      });
      const heartbeats = options.heartbeat === true ? await sendHeartbeats(transport, Date.now()) : 0;
      line(
        context,
        { type: 'done', stream: settings.name, ...report, heartbeats },
        `Sent ${report.events} events to ${settings.name} in ${report.seconds.toFixed(1)} s: ${report.written} records written (${report.duplicates} duplicates, ${report.late} late, ${report.disordered} out of order, ${report.malformed} malformed), ${report.resent} entries resent, ${report.failed} failed`,
      );
      return report.failed > 0 ? 1 : 0;
    } finally {
      dispose();
      transport.close();
    }
  },
};

/** `shopflow stream consume`: event-time windows from the stream into the lake, exactly once. */
export const streamConsumeCommand: CommandDefinition = {
  name: 'stream consume',
  description: 'read every shard, window the clickstream by event time and commit closed windows to the lake',
  options: [
    { flags: '--until-idle <d>', description: 'stop once no record arrived for this long, e.g. 10s' },
    { flags: '--duration <d>', description: 'stop after this long (default: until interrupted)' },
    {
      flags: '--from <position>',
      description: 'without a checkpoint: start at trim-horizon (every retained record) or latest',
      defaultValue: 'trim-horizon',
    },
  ],
  async run(context, _args, options) {
    const settings = streamSettings(context);
    const from = String(options.from);
    if (from !== 'trim-horizon' && from !== 'latest') {
      throw new ShopflowError('SF_BAD_USAGE', `--from ${from} is not a start position`, {
        hint: 'use --from trim-horizon (every retained record) or --from latest (new records only)',
      });
    }
    const runtime = await context.runtime();
    const service = new ConsumerService({
      runtime,
      settings,
      home: context.home,
      log: context.log,
      untilIdleMs: durationOption('--until-idle', options.untilIdle),
      durationMs: durationOption('--duration', options.duration),
      onDashboard: progress(context),
      consumer: { startAt: from },
    });
    const dispose = onInterrupt(() => service.stop());
    try {
      await service.run();
    } finally {
      dispose();
    }
    const t = service.totals;
    line(
      context,
      { type: 'done', stream: settings.name, ...t },
      `Consumed ${t.records} records in ${t.slices} slices; ${t.commits} lake commits${t.restarts ? `, ${t.restarts} restarts` : ''}`,
    );
    return 0;
  },
};

function progress(context: CommandContext): (d: StreamDashboard) => void {
  let last = 0;
  return (d) => {
    if (Date.now() - last < 5_000) return;
    last = Date.now();
    line(
      context,
      {
        type: 'progress',
        watermark: d.watermark,
        watermarkLagMs: d.watermarkLagMs,
        events: d.totals.events,
        late: d.totals.late,
        duplicates: d.totals.duplicates,
        deadLetters: d.totals.deadLetters,
        openSessions: d.openSessions,
        lastCommit: d.lastCommit,
      },
      `watermark ${d.watermark ?? '—'}  ${d.totals.events} events, ${d.totals.late} late, ${d.totals.duplicates} duplicates, ${d.totals.deadLetters} dead letters, ${d.openSessions} open sessions`,
    );
  };
}

/** `shopflow stream stop`: stops the local Kinesis server of this home. */
export const streamStopCommand: CommandDefinition = {
  name: 'stream stop',
  description: 'stop the local Kinesis server',
  async run(context) {
    const settings = streamSettings(context);
    if (settings.mode !== 'local') {
      context.stdout.write(
        'The stream is an AWS Kinesis stream (resources.stream.mode: aws); nothing to stop.\n',
      );
      return 0;
    }
    const dir = localKinesisDir(settings, context.home);
    const stopped = await stopLocalKinesis(dir);
    line(
      context,
      { stopped, dir },
      stopped ? `Stopped the local Kinesis server in ${dir}` : 'No local Kinesis server is running.',
    );
    return 0;
  },
};

/** `shopflow stream status`: the server, the shards and the consumer's position. */
export const streamStatusCommand: CommandDefinition = {
  name: 'stream status',
  description: 'show the stream, its shards and where the consumer is',
  async run(context) {
    const settings = streamSettings(context);
    const server =
      settings.mode === 'local' ? await localKinesisStatus(localKinesisDir(settings, context.home)) : null;
    const runtime = await context.runtime();
    const checkpoint = await runtime.store.getCheckpoint<ConsumerCheckpoint>(
      consumerCheckpointName(settings.name),
    );
    let shards: unknown[] | null = null;
    if (settings.mode === 'aws' || server) {
      const transport = await openStreamTransport(settings, context.home);
      try {
        shards = await transport.listShards();
      } finally {
        transport.close();
      }
    }
    const status = {
      stream: settings.name,
      mode: settings.mode,
      // NOTE: on aws, the endpoint override (config or AWS_ENDPOINT_URL_KINESIS) when there is one,
      // without any credentials in its URL; `aws` for AWS's own endpoint.
      server:
        settings.mode === 'local'
          ? (server ?? 'stopped')
          : (kinesisEndpointOverride(settings.endpoint) ?? 'aws'),
      ...(settings.mode === 'aws'
        ? {
            region:
              settings.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
          }
        : {}),
      shards,
      consumer: checkpoint
        ? {
            savedAt: checkpoint.savedAt,
            commits: checkpoint.epoch,
            watermark:
              checkpoint.engine.watermark === null
                ? null
                : new Date(checkpoint.engine.watermark).toISOString(),
            processed: checkpoint.engine.processed,
            pendingCommit: checkpoint.intent !== null,
          }
        : null,
    };
    if (context.json || context.stdout.isTTY !== true) context.stdout.write(`${JSON.stringify(status)}\n`);
    else {
      context.stdout.write(
        [
          `stream    ${status.stream} (${status.mode})`,
          `server    ${typeof status.server === 'string' ? status.server : `${status.server.endpoint} (pid ${status.server.pid})`}`,
          `shards    ${shards ? shards.length : '—'}`,
          `consumer  ${status.consumer ? `checkpoint ${status.consumer.savedAt}, ${status.consumer.commits} commits, watermark ${status.consumer.watermark ?? '—'}` : 'never ran'}`,
        ].join('\n') + '\n',
      );
    }
    return 0;
  },
};

/** `shopflow stream reset`: forgets the consumer's checkpoint, so the next consume starts over. */
export const streamResetCommand: CommandDefinition = {
  name: 'stream reset',
  description: "forget the consumer's checkpoint: the next consume re-reads the stream (see --from)",
  async run(context) {
    const settings = streamSettings(context);
    const runtime = await context.runtime();
    const holder = await runtime.store.getLease(`stream-consumer:${settings.name}`);
    if (holder && Date.parse(holder.expiresAt) > Date.now()) {
      throw new ShopflowError(
        'SF_STREAM_CONSUMER_RUNNING',
        `a consumer reads stream \`${settings.name}\` (pid ${holder.pid} on ${holder.hostname})`,
        { hint: 'stop it first, then reset' },
      );
    }
    const name = consumerCheckpointName(settings.name);
    const had = (await runtime.store.getCheckpoint(name)) != null;
    await runtime.store.setCheckpoint(name, null);
    line(
      context,
      { reset: had, stream: settings.name },
      had
        ? `Forgot the checkpoint of ${settings.name}: the next \`shopflow stream consume\` re-reads the stream and rewrites the windows it closes`
        : `Stream ${settings.name} has no checkpoint.`,
    );
    return 0;
  },
};

/** `shopflow stream reshard`: splits or merges shards (scaling the stream). */
export const streamReshardCommand: CommandDefinition = {
  name: 'stream reshard',
  description: 'split a shard in two (--split SHARD) or merge two adjacent shards (--merge A,B)',
  options: [
    { flags: '--split <shard>', description: 'shard to split at the middle of its hash key range' },
    { flags: '--merge <shards>', description: 'two adjacent shards, comma-separated' },
  ],
  async run(context, _args, options) {
    const settings = streamSettings(context);
    const transport = await openStreamTransport(settings, context.home);
    try {
      const shards = await transport.listShards();
      const find = (id: string) => {
        const shard = shards.find((s) => s.shardId === id && s.endingSequenceNumber === null);
        if (!shard) {
          throw new ShopflowError('SF_BAD_USAGE', `no open shard \`${id}\` in stream \`${settings.name}\``, {
            hint: `open shards: ${shards
              .filter((s) => s.endingSequenceNumber === null)
              .map((s) => s.shardId)
              .join(', ')}`,
          });
        }
        return shard;
      };
      if (typeof options.split === 'string') {
        const shard = find(options.split);
        const middle = (BigInt(shard.startingHashKey) + BigInt(shard.endingHashKey)) / 2n;
        await transport.splitShard(shard.shardId, middle.toString());
        line(context, { split: shard.shardId }, `Split ${shard.shardId} at hash key ${middle}`);
        return 0;
      }
      if (typeof options.merge === 'string') {
        const [a, b] = options.merge.split(',').map((s) => s.trim());
        if (!a || !b)
          throw new ShopflowError('SF_BAD_USAGE', `--merge ${options.merge} does not name two shards`, {
            hint: 'e.g. --merge shardId-000000000002,shardId-000000000003',
          });
        await transport.mergeShards(find(a).shardId, find(b).shardId);
        line(context, { merged: [a, b] }, `Merged ${a} and ${b}`);
        return 0;
      }
      throw new ShopflowError('SF_BAD_USAGE', 'stream reshard needs --split SHARD or --merge A,B', {
        hint: '`shopflow stream status` lists the shards',
      });
    } finally {
      transport.close();
    }
  },
};

/** Every `shopflow stream …` command. */
export const streamCommands = [
  streamProduceCommand,
  streamConsumeCommand,
  streamStatusCommand,
  streamStopCommand,
  streamResetCommand,
  streamReshardCommand,
];
