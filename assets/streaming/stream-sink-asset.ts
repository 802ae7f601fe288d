import type { z } from 'zod';
import {
  type AssetCheck,
  type AssetDefinition,
  defineAsset,
  quoteIdentifier,
  SqlQuery,
  schemaColumns,
} from '../../framework/index.js';
import { streamCommits } from './stream-commits.js';
import { streamDays } from './stream-days.js';

/** Who writes the stream's tables (shown by `shopflow assets` and the web page). */
export const STREAM_WRITER = 'shopflow stream consume';

/**
 * A lake table the clickstream consumer writes, one partition per UTC day: each commit upserts
 * its rows for the partition into what the partition holds (rows with the same `keys` are
 * replaced), so writing the same commit twice — after a crash between the lake write and the
 * checkpoint — leaves the same data. The materialization's metadata names the stream positions
 * the commit covers.
 *
 * @example
 * export const clickLateEvents = streamSinkAsset({ key: 'click_late_events', keys: ['shard_id', 'sequence_number'], … });
 */
export function streamSinkAsset<S extends z.ZodObject>(spec: {
  key: string;
  description: string;
  schema: S;
  /** Columns identifying a row: a later commit's row with the same values replaces it. */
  keys: Array<keyof z.output<S> & string>;
  checks?: AssetCheck[];
}): AssetDefinition<S> {
  const columns = schemaColumns(spec.schema).map((c) => quoteIdentifier(c.name));
  const same = spec.keys
    .map((k) => `d.${quoteIdentifier(k)} IS NOT DISTINCT FROM p.${quoteIdentifier(k)}`)
    .join(' AND ');
  return defineAsset({
    key: spec.key,
    group: 'streaming',
    description: spec.description,
    classification: 'internal',
    schema: spec.schema,
    partitions: streamDays,
    writtenBy: STREAM_WRITER,
    checks: spec.checks,
    tags: ['stream'],
    owners: ['web-analytics'],
    // NOTE: a failed commit is retried by the consumer from its checkpoint, never step by step.
    retry: { maxRetries: 0 },
    async materialize({ resource, runId, partitionKey, duckdb, previous, addMetadata }) {
      const commits = await resource(streamCommits);
      const commit = commits.commitOf(runId, spec.key, partitionKey);
      const rows = commit.rows.get(spec.key)?.get(partitionKey!) ?? [];
      addMetadata({
        stream: commit.stream,
        epoch: commit.epoch,
        shards: commit.shards,
        rowsCommitted: rows.length,
      });
      const before = await previous();
      const delta = await commits.stage(duckdb, spec.schema, rows);
      const list = columns.join(', ');
      return new SqlQuery(
        `SELECT ${list} FROM ${before.toSql()} p WHERE NOT EXISTS (SELECT 1 FROM ${delta} d WHERE ${same})
         UNION ALL SELECT ${list} FROM ${delta}
         ORDER BY ${spec.keys.map(quoteIdentifier).join(', ')}`,
      );
    },
  });
}
