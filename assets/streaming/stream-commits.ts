import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import {
  type DuckDbSession,
  defineResource,
  quoteIdentifier,
  quoteLiteral,
  ShopflowError,
  schemaColumns,
} from '../../framework/index.js';

/** What one consumer commit writes: rows per stream asset and partition, and the positions covered. */
export interface StreamCommit {
  stream: string;
  /** Increases by one per commit of the consumer. */
  epoch: number;
  /** Per shard, the records this commit covers: after `from` (exclusive, null: the shard's start) up to `to`. */
  shards: Record<string, { from: string | null; to: string }>;
  /** Rows per asset key, then per partition (day). */
  rows: Map<string, Map<string, unknown[]>>;
}

/**
 * Hands a consumer's commit to the steps that write it: the consumer registers the rows under the
 * id of the run it starts, each stream asset's step takes its partition's rows. The rows live only
 * in the consumer's process, which is why its commits always run in that process; after a crash
 * they are recomputed from the stream, not recovered.
 */
export class StreamCommits {
  private readonly byRun = new Map<string, StreamCommit>();

  constructor(private readonly tmpDir: string) {}

  register(runId: string, commit: StreamCommit): () => void {
    this.byRun.set(runId, commit);
    return () => this.byRun.delete(runId);
  }

  /** The commit of `runId`; throws when the run is not a consumer's commit. */
  commitOf(runId: string, assetKey: string, partitionKey: string | null): StreamCommit {
    const commit = this.byRun.get(runId);
    if (!commit) {
      throw new ShopflowError(
        'SF_BAD_USAGE',
        `${assetKey}[${partitionKey}] is written by \`shopflow stream consume\` with the windows it closes; a run cannot materialize it on its own`,
        { hint: 'run `shopflow stream consume` (or the daemon with resources.stream.consumeInDaemon)' },
      );
    }
    return commit;
  }

  /**
   * Loads `rows` into a temporary table of `duckdb` typed by `schema`, and returns its name (it
   * lives as long as the session).
   */
  async stage(duckdb: DuckDbSession, schema: z.ZodObject, rows: readonly unknown[]): Promise<string> {
    const table = `stream_delta_${randomBytes(6).toString('hex')}`;
    const columns = schemaColumns(schema);
    if (rows.length === 0) {
      const cols = columns.map((c) => `NULL::${c.type} AS ${quoteIdentifier(c.name)}`).join(', ');
      await duckdb.run(`CREATE TEMP TABLE ${table} AS SELECT ${cols} WHERE FALSE`);
      return table;
    }
    mkdirSync(this.tmpDir, { recursive: true });
    const file = join(this.tmpDir, `${table}.jsonl`);
    writeFileSync(file, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
    try {
      const spec = columns.map((c) => `${quoteLiteral(c.name)}: ${quoteLiteral(c.type)}`).join(', ');
      await duckdb.run(
        `CREATE TEMP TABLE ${table} AS SELECT ${columns.map((c) => quoteIdentifier(c.name)).join(', ')} FROM read_json(${quoteLiteral(file)}, format = 'newline_delimited', columns = {${spec}})`,
      );
    } finally {
      rmSync(file, { force: true });
    }
    return table;
  }
}

/** The commit hand-over of this process (one per runtime). */
export const streamCommits = defineResource<StreamCommits>({
  name: 'streamCommits',
  create: ({ home }) => new StreamCommits(join(home, 'tmp', 'stream')),
});
