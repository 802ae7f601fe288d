import type { Shard, ShardIteratorType } from '@aws-sdk/client-kinesis';
import { lazyModule } from '../../../framework/modules/lazy-module.js';
import type {
  PutEntry,
  PutOutcome,
  ShardInfo,
  ShardPosition,
  ShardRead,
  StreamTransport,
} from '../stream-transport.js';
import { isStreamFailure } from '../stream-transport-error.js';
import { type KinesisTarget, kinesisEndpointOverride, kinesisError } from './kinesis-error.js';

/** How to reach a Kinesis stream. */
export interface KinesisTransportOptions {
  stream: string;
  region?: string;
  /** A Kinesis-compatible endpoint (the local server); AWS's own when absent. */
  endpoint?: string;
  /** Static credentials (the local server accepts any); the AWS default chain when absent. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Per-request socket timeout (default 10 s). */
  requestTimeoutMs?: number;
  /** `local` when the endpoint is the server `shopflow` starts itself (for hints); `aws` by default. */
  mode?: 'local' | 'aws';
  /** How long {@link StreamTransport.ensureStream} waits for the stream to become ACTIVE (default 60 s). */
  activeTimeoutMs?: number;
}

const ITERATOR_TYPES: Record<ShardPosition['type'], ShardIteratorType> = {
  'trim-horizon': 'TRIM_HORIZON',
  at: 'AT_SEQUENCE_NUMBER',
  after: 'AFTER_SEQUENCE_NUMBER',
  latest: 'LATEST',
};

// NOTE: the AWS SDK is required when a transport is created, so processes that never stream do not
// load it.
const kinesisSdk = lazyModule<typeof import('@aws-sdk/client-kinesis')>('@aws-sdk/client-kinesis');
const httpHandler = lazyModule<typeof import('@smithy/node-http-handler')>('@smithy/node-http-handler');

function shardInfo(shard: Shard): ShardInfo {
  return {
    shardId: shard.ShardId!,
    parentShardIds: [shard.ParentShardId, shard.AdjacentParentShardId].filter((id): id is string => !!id),
    endingSequenceNumber: shard.SequenceNumberRange?.EndingSequenceNumber ?? null,
    startingHashKey: shard.HashKeyRange?.StartingHashKey ?? '0',
    endingHashKey: shard.HashKeyRange?.EndingHashKey ?? '0',
  };
}

/**
 * The {@link StreamTransport} of an Amazon Kinesis Data Stream (or a Kinesis-compatible local
 * server). The SDK's own retries are off: the producer and the consumer back off themselves, per
 * entry and per shard. HTTP/1.1 (`NodeHttpHandler`), which the local server needs.
 *
 * @example
 * const transport = createKinesisTransport({ stream: 'shopflow-clickstream', region: 'eu-west-1' });
 */
export function createKinesisTransport(options: KinesisTransportOptions): StreamTransport {
  const { stream } = options;
  const {
    CreateStreamCommand,
    DescribeStreamSummaryCommand,
    GetRecordsCommand,
    GetShardIteratorCommand,
    KinesisClient,
    ListShardsCommand,
    MergeShardsCommand,
    PutRecordsCommand,
    SplitShardCommand,
  } = kinesisSdk();
  const { NodeHttpHandler } = httpHandler();
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const target: KinesisTarget = {
    mode: options.mode ?? 'aws',
    region,
    endpoint: kinesisEndpointOverride(options.endpoint),
  };
  const client = new KinesisClient({
    region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: { ...options.credentials } } : {}),
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: 5_000,
      socketTimeout: options.requestTimeoutMs ?? 10_000,
    }),
  });
  const call = async <T>(operation: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw kinesisError(operation, stream, error, target);
    }
  };

  const status = async (): Promise<string | null> => {
    try {
      const summary = await call('DescribeStreamSummary', () =>
        client.send(new DescribeStreamSummaryCommand({ StreamName: stream })),
      );
      return summary.StreamDescriptionSummary?.StreamStatus ?? null;
    } catch (error) {
      if (isStreamFailure(error, 'not-found')) return null;
      throw error;
    }
  };

  return {
    stream,

    async ensureStream(shards) {
      let current = await status();
      if (current === null) {
        await call('CreateStream', () =>
          client.send(new CreateStreamCommand({ StreamName: stream, ShardCount: shards })),
        ).catch((error) => {
          // NOTE: another process may have created it in between; waiting for ACTIVE covers both.
          if (!/ResourceInUse/.test(String((error as Error).cause ?? ''))) throw error;
        });
        current = await status();
      }
      const deadline = Date.now() + (options.activeTimeoutMs ?? 60_000);
      while (current !== 'ACTIVE' && current !== 'UPDATING') {
        if (Date.now() > deadline) {
          throw kinesisError('DescribeStreamSummary', stream, new Error(`stream stayed ${current}`), target);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
        current = await status();
      }
    },

    async listShards() {
      const shards: ShardInfo[] = [];
      let token: string | undefined;
      do {
        const page = await call('ListShards', () =>
          client.send(
            new ListShardsCommand(token ? { NextToken: token } : { StreamName: stream, MaxResults: 1000 }),
          ),
        );
        for (const shard of page.Shards ?? []) shards.push(shardInfo(shard));
        token = page.NextToken;
      } while (token);
      return shards;
    },

    async shardIterator(shardId, position: ShardPosition) {
      const result = await call('GetShardIterator', () =>
        client.send(
          new GetShardIteratorCommand({
            StreamName: stream,
            ShardId: shardId,
            ShardIteratorType: ITERATOR_TYPES[position.type],
            ...('sequenceNumber' in position ? { StartingSequenceNumber: position.sequenceNumber } : {}),
          }),
        ),
      );
      return result.ShardIterator!;
    },

    async getRecords(shardId, iterator, limit): Promise<ShardRead> {
      const result = await call('GetRecords', () =>
        client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit })),
      );
      return {
        records: (result.Records ?? []).map((r) => ({
          shardId,
          sequenceNumber: r.SequenceNumber!,
          arrivedAt: r.ApproximateArrivalTimestamp?.getTime() ?? 0,
          partitionKey: r.PartitionKey ?? '',
          data: r.Data ?? new Uint8Array(),
        })),
        nextIterator: result.NextShardIterator ?? null,
        millisBehindLatest: result.MillisBehindLatest ?? 0,
      };
    },

    async putRecords(entries: PutEntry[]): Promise<PutOutcome[]> {
      const result = await call('PutRecords', () =>
        client.send(
          new PutRecordsCommand({
            StreamName: stream,
            Records: entries.map((e) => ({ PartitionKey: e.partitionKey, Data: e.data })),
          }),
        ),
      );
      return (result.Records ?? []).map((r) =>
        r.ErrorCode
          ? { ok: false, errorCode: r.ErrorCode, errorMessage: r.ErrorMessage ?? r.ErrorCode }
          : { ok: true, shardId: r.ShardId!, sequenceNumber: r.SequenceNumber! },
      );
    },

    async splitShard(shardId, newStartingHashKey) {
      await call('SplitShard', () =>
        client.send(
          new SplitShardCommand({
            StreamName: stream,
            ShardToSplit: shardId,
            NewStartingHashKey: newStartingHashKey,
          }),
        ),
      );
    },

    async mergeShards(shardId, adjacentShardId) {
      await call('MergeShards', () =>
        client.send(
          new MergeShardsCommand({
            StreamName: stream,
            ShardToMerge: shardId,
            AdjacentShardToMerge: adjacentShardId,
          }),
        ),
      );
    },

    close() {
      client.destroy();
    },
  };
}
