import { createHash, randomBytes } from 'node:crypto';
import { statSync, writeFileSync } from 'node:fs';
import { MaterializeResult } from '../definitions/materialize-result.js';
import type { DuckDbSession } from '../duckdb/duckdb-session.js';
import { quoteIdentifier, quoteLiteral, SqlQuery } from '../duckdb/sql-template.js';
import { structFields } from '../duckdb/struct-type-text.js';
import { isShopflowError, ShopflowError } from '../errors/error-catalog.js';
import {
  failingCountOf,
  type InputHandle,
  type IoContext,
  type IoTarget,
  type ResolvedQuarantineRule,
  type WriteResult,
} from './io-target.js';
import type {
  LakeStaging,
  LakeStorage,
  PartitionRef,
  PartitionVersion,
} from './lake-storage/lake-storage.js';
import { mapLimited } from './map-limited.js';
import { type ColumnInfo, schemaColumns } from './schema-columns.js';

/** Partitions whose files one step looks up at once (S3: one manifest request each). */
const LOOKUPS = 8;

function parquetRelation(files: string[]): string {
  return `read_parquet([${files.map(quoteLiteral).join(', ')}], union_by_name = true, hive_partitioning = false)`;
}

/** What {@link compactLakePartition} did. */
export interface CompactionResult {
  /** Where the partition lives (folder or `s3://` prefix). */
  location: string;
  filesBefore: number;
  filesAfter: number;
  rows: number;
  /** Content hash before and after: equal, or the compaction was abandoned. */
  dataVersion: string;
}

/**
 * Merges the Parquet files of one partition into one file with large row groups, without changing
 * the data: the content hash and row count of the merged file must equal those of the files it
 * replaces, or nothing is committed. The merged file replaces exactly the files it was built from
 * (a commit that finds other files fails with `SF_LAKE_CONFLICT`). The caller holds the partition lock.
 *
 * @example
 * await compactLakePartition(duckdb, runtime.lake, { assetKey: 'events', partitionKey: null });
 */
export async function compactLakePartition(
  duckdb: DuckDbSession,
  lake: LakeStorage,
  ref: PartitionRef,
  options: { rowGroupSize?: number; runId?: string } = {},
): Promise<CompactionResult> {
  const location = lake.locate(ref);
  const base = await lake.head(ref);
  if (!base) throw new ShopflowError('SF_NOT_MATERIALIZED', `nothing to compact in ${location}`);
  const files = await lake.readable(ref, base.files, duckdb);
  const before = await dataVersionOf(duckdb, files);
  if (files.length === 1)
    return { location, filesBefore: 1, filesAfter: 1, rows: before.rowCount, dataVersion: before.version };
  const runId = options.runId ?? `compact-${randomBytes(6).toString('hex')}`;
  const staging = await lake.stage(ref, runId);
  try {
    const tmp = staging.path('.compact.parquet');
    await duckdb.run(
      `COPY (SELECT * FROM ${parquetRelation(files)}) TO ${quoteLiteral(tmp)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${options.rowGroupSize ?? 122_880})`,
    );
    const after = await dataVersionOf(duckdb, tmp);
    if (after.version !== before.version || after.rowCount !== before.rowCount) {
      throw new ShopflowError(
        'SF_IO',
        `compacting ${location} would change its data (${before.rowCount} → ${after.rowCount} rows); nothing was changed`,
      );
    }
    await lake.commit(ref, {
      runId,
      data: { kind: 'compact', file: tmp, replaces: base.files },
      base,
      dataVersion: after.version,
      rowCount: after.rowCount,
    });
    return {
      location,
      filesBefore: files.length,
      filesAfter: 1,
      rows: after.rowCount,
      dataVersion: after.version,
    };
  } finally {
    await staging.dispose();
  }
}

/** A handle on stored lake partitions; renders as `read_parquet([...])`. */
export class LakeInput implements InputHandle {
  constructor(
    readonly assetKey: string,
    readonly partitionKeys: Array<string | null>,
    readonly files: string[],
    private readonly columns: ColumnInfo[],
  ) {}

  toSql(): string {
    if (this.files.length > 0) {
      return parquetRelation(this.files);
    }
    // NOTE: no partition was ever written; an empty relation with the declared columns keeps
    // downstream SQL valid.
    const cols = this.columns.map((c) => `NULL::${c.type} AS ${quoteIdentifier(c.name)}`).join(', ');
    return `(SELECT ${cols || 'NULL AS none'} WHERE FALSE)`;
  }
}

function relationOf(columns: ColumnInfo[], file: string): string {
  const spec = columns.map((c) => `${quoteLiteral(c.name)}: ${quoteLiteral(c.type)}`).join(', ');
  return `read_json(${quoteLiteral(file)}, format = 'newline_delimited', hive_partitioning = false, columns = {${spec}})`;
}

/** What one scan of written files found. */
interface ScannedFiles {
  rowCount: number;
  version: string;
  columns: Array<{ name: string; type: string }>;
  /** Failing rows per row rule. */
  failingRows: Record<string, number>;
  /** Rows per quarantine rule, counted in the staged table of the same write. */
  quarantined: Record<string, number>;
}

/**
 * The data version and row count of `file`(s), their columns (read by binding the scan, not running
 * it), and, in the same one scan, the failing rows of each row rule; with `staged`, the rows each
 * quarantine rule moved aside (a second relation of the same statement). One statement per write.
 */
async function scanWritten(
  duckdb: DuckDbSession,
  file: string | string[],
  rowRules: ResolvedQuarantineRule[] = [],
  staged?: { table: string; rules: ResolvedQuarantineRule[] },
): Promise<ScannedFiles> {
  const files = Array.isArray(file) ? file : [file];
  const relation = parquetRelation(files);
  // NOTE: an order-independent sum of row hashes, so the same rows written in a different order by
  // parallel DuckDB threads give the same data version. `hash(*COLUMNS(*))` is the hash of the row
  // as a struct (DuckDB combines a struct's field hashes as it combines a call's arguments) without
  // building one per row. A row rule is evaluated in the select list (window functions work), over
  // the written rows only, beside the row it hashes; a rule counted by an aggregate of its own
  // (uniqueness) reads the columns beside the row instead. The row's type gives the written columns,
  // so no second bind of the files is needed unless they hold no row.
  const rules = rowRules.map((r, i) => ({ ...r, alias: `__r${i}` }));
  const perRow = rules.filter((r) => !r.failingCount);
  const source = `(SELECT hash(*COLUMNS(*)) AS __h, typeof(__scan) AS __ty${rules.length > perRow.length ? ', __scan.*' : ''}${perRow
    .map((r) => `, coalesce((${r.validWhen}), false) AS ${r.alias}`)
    .join('')} FROM ${relation} __scan)`;
  const scanned = `SELECT count(*)::BIGINT AS n, coalesce(sum(__h::HUGEINT), 0)::VARCHAR AS h, any_value(__ty) AS __ty${rules
    .map((r) => `, ${failingCountOf(r)}`)
    .join('')} FROM ${source}`;
  const moved = (staged?.rules ?? []).map((r, i) => ({ name: r.name, alias: `__q${i}` }));
  const statement = moved.length
    ? `SELECT * FROM (${scanned}) CROSS JOIN (SELECT ${moved
        .map(
          (q) =>
            `count(*) FILTER (WHERE list_contains(__failed, ${quoteLiteral(q.name)}))::BIGINT AS ${q.alias}`,
        )
        .join(', ')} FROM ${staged!.table})`
    : scanned;
  const [row] = (await duckdb.query(statement)) as [Record<string, unknown>];
  const columns =
    (typeof row.__ty === 'string' ? structFields(row.__ty) : undefined) ??
    (await duckdb.columnsOf(`SELECT * FROM ${relation}`));
  const digest = createHash('sha256')
    .update(JSON.stringify(columns))
    .update(`|${row.n}|${row.h}`)
    .digest('hex')
    .slice(0, 20);
  return {
    rowCount: Number(row.n),
    version: digest,
    columns,
    failingRows: Object.fromEntries(rules.map((r) => [r.name, Number(row[r.alias])])),
    quarantined: Object.fromEntries(moved.map((q) => [q.name, Number(row[q.alias])])),
  };
}

async function dataVersionOf(duckdb: DuckDbSession, file: string | string[]) {
  return await scanWritten(duckdb, file);
}

function checkContract(assetKey: string, declared: ColumnInfo[], written: Array<{ name: string }>): void {
  const have = new Set(written.map((c) => c.name));
  const want = new Set(declared.map((c) => c.name));
  const missing = declared.filter((c) => !have.has(c.name)).map((c) => c.name);
  const extra = written.filter((c) => !want.has(c.name)).map((c) => c.name);
  if (missing.length === 0 && extra.length === 0) return;
  const parts = [];
  if (missing.length) parts.push(`lacks ${missing.map((c) => `\`${c}\``).join(', ')} declared in its schema`);
  if (extra.length) parts.push(`has ${extra.map((c) => `\`${c}\``).join(', ')} not declared in its schema`);
  throw new ShopflowError('SF_USER_CODE', `the output of asset \`${assetKey}\` ${parts.join(' and ')}`, {
    hint: 'make the query return exactly the schema columns, or change the schema',
  });
}

function failedRulesExpression(rules: ResolvedQuarantineRule[]): string {
  return `list_filter([${rules
    .map((r) => `CASE WHEN coalesce((${r.validWhen}), FALSE) THEN NULL ELSE ${quoteLiteral(r.name)} END`)
    .join(', ')}], x -> x IS NOT NULL)`;
}

async function sourceQuery(context: IoContext, output: unknown, staging: LakeStaging): Promise<string> {
  if (output instanceof SqlQuery) return output.text;
  if (Array.isArray(output)) {
    const file = staging.path('.rows.jsonl');
    const validated = output.map((row, i) => {
      const parsed = context.schema.safeParse(row);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ShopflowError(
          'SF_USER_CODE',
          `row ${i} returned by asset \`${context.assetKey}\` does not match its schema at \`${issue.path.join('.')}\`: ${issue.message}`,
          { hint: 'fix the row or the schema' },
        );
      }
      return JSON.stringify(parsed.data);
    });
    writeFileSync(file, validated.length ? `${validated.join('\n')}\n` : '');
    return `SELECT * FROM ${relationOf(schemaColumns(context.schema), file)}`;
  }
  const kind = output instanceof MaterializeResult ? 'a MaterializeResult' : typeof output;
  throw new ShopflowError(
    'SF_USER_CODE',
    `asset \`${context.assetKey}\` returned ${kind}, but its lake table needs data`,
    {
      hint: 'return a DuckDB query (duckdb.sql`…`) or an array of rows',
    },
  );
}

/**
 * The version a write starts from. A write that replaces the whole partition also starts over a
 * damaged manifest (it needs none of the old files); an append cannot.
 */
async function headForWrite(
  lake: LakeStorage,
  ref: PartitionRef,
  append: boolean,
): Promise<PartitionVersion | undefined> {
  try {
    return await lake.head(ref);
  } catch (error) {
    const details = isShopflowError(error, 'SF_IO') ? error.details : undefined;
    if (append || details?.damagedManifest !== true) throw error;
    return {
      files: [],
      quarantine: null,
      token: (details.token as string | undefined) ?? null,
      commitId: null,
    };
  }
}

/**
 * The files an appending write adds to. A damaged one cannot be rewritten from the asset's inputs:
 * each earlier write added rows only it had, so the error says to restore the file.
 */
async function appendedFiles(
  context: IoContext,
  ref: PartitionRef,
  base: PartitionVersion,
): Promise<string[]> {
  try {
    return await context.lake.readable(ref, base.files, context.duckdb);
  } catch (error) {
    if (!isShopflowError(error, 'SF_LAKE_CORRUPT')) throw error;
    throw new ShopflowError('SF_LAKE_CORRUPT', error.message, {
      hint: `\`${ref.assetKey}\` appends to its partition, so writing it again re-reads this file: restore it from a backup (S3: its previous object version), then run the step again`,
      details: error.details,
    });
  }
}

/** The readable files of the committed versions of `partitionKeys` (absent partitions add none). */
async function committedFiles(
  context: IoContext,
  partitionKeys: Array<string | null>,
  which: 'data' | 'quarantine' = 'data',
): Promise<string[]> {
  const perPartition = await mapLimited(partitionKeys, LOOKUPS, async (partitionKey) => {
    const ref = { assetKey: context.assetKey, partitionKey };
    const version = await context.lake.head(ref, { dataVersion: context.dataVersions?.get(partitionKey) });
    if (!version) return [];
    const files = which === 'data' ? version.files : version.quarantine ? [version.quarantine] : [];
    return await context.lake.readable(ref, files, context.duckdb);
  });
  return perPartition.flat();
}

/**
 * A Parquet table in the lake (a local folder or S3, see `LakeStorage`), one version per partition
 * at `<lake>/<asset>/partition=<key>/…` (unpartitioned: `<lake>/<asset>/…`), written by DuckDB to
 * a local staging file and committed atomically, so readers always see a complete previous or new
 * version. Row-level quarantine rules split failing rows into a quarantine file beside the data,
 * with the names of the rules each row broke (`shopflow show ASSET --quarantine`).
 *
 * @example
 * defineAsset({ key: 'daily_sales', io: lakeTable(), … })
 */
export function lakeTable(
  options: {
    compression?: 'zstd' | 'snappy';
    /** `overwrite` (default): each write replaces the partition. `append`: each write adds a file. */
    mode?: 'overwrite' | 'append';
  } = {},
): IoTarget<unknown, LakeInput> {
  const compression = options.compression ?? 'zstd';
  const append = options.mode === 'append';
  return {
    kind: 'lake-table',
    supportsQuarantine: true,
    appends: append,

    location(assetKey, partitionKey, lake) {
      return lake.locate({ assetKey, partitionKey });
    },

    async write(context, output): Promise<WriteResult> {
      const ref = { assetKey: context.assetKey, partitionKey: context.partitionKey };
      const staging = await context.lake.stage(ref, context.runId);
      const staged = `staged_${randomBytes(6).toString('hex')}`;
      const rules = context.quarantine;
      let quarantined: WriteResult['quarantined'];
      try {
        const query = await sourceQuery(context, output, staging);
        const tmpData = staging.path('.parquet');
        const tmpQuarantine = staging.path('.quarantine.parquet');
        const copyOptions = `(FORMAT parquet, COMPRESSION ${compression})`;
        if (rules.length === 0) {
          await context.duckdb.run(`COPY (${query}) TO ${quoteLiteral(tmpData)} ${copyOptions}`);
        } else {
          await context.duckdb.run(
            `CREATE TEMP TABLE ${staged} AS SELECT *, ${failedRulesExpression(rules)} AS __failed FROM (${query}) q`,
          );
          await context.duckdb.run(
            `COPY (SELECT * EXCLUDE (__failed) FROM ${staged} WHERE len(__failed) = 0) TO ${quoteLiteral(tmpData)} ${copyOptions}`,
          );
        }
        const base = await headForWrite(context.lake, ref, append);
        // NOTE: the version of an appended partition covers every file it will list.
        const previous = append && base ? await appendedFiles(context, ref, base) : [];
        const scan = await scanWritten(
          context.duckdb,
          [...previous, tmpData],
          context.rowRules,
          rules.length ? { table: staged, rules } : undefined,
        );
        const { rowCount, version, columns } = scan;
        checkContract(context.assetKey, schemaColumns(context.schema), columns);
        if (rules.length > 0) {
          quarantined = {};
          for (const rule of rules) {
            const n = scan.quarantined[rule.name] ?? 0;
            const sample =
              n > 0
                ? await context.duckdb.query(
                    `SELECT * EXCLUDE (__failed) FROM ${staged} WHERE list_contains(__failed, ${quoteLiteral(rule.name)}) LIMIT 5`,
                  )
                : [];
            quarantined[rule.name] = { rows: n, sample };
          }
        }
        const total = Object.values(quarantined ?? {}).reduce((sum, q) => sum + q.rows, 0);
        // NOTE: a write that quarantined nothing writes no quarantine file (and commits `null`).
        if (total > 0) {
          await context.duckdb.run(
            `COPY (SELECT * EXCLUDE (__failed), array_to_string(__failed, ',') AS quarantine_rules FROM ${staged} WHERE len(__failed) > 0) TO ${quoteLiteral(tmpQuarantine)} ${copyOptions}`,
          );
        }
        // NOTE: what this step adds (in append mode the new file only), measured before the commit
        // moves the staged files away.
        const bytesWritten = statSync(tmpData).size + (total > 0 ? statSync(tmpQuarantine).size : 0);
        const committed = await context.lake.commit(ref, {
          runId: context.runId,
          data: { kind: append ? 'append' : 'replace', file: tmpData },
          quarantine: rules.length === 0 ? undefined : total > 0 ? tmpQuarantine : null,
          base,
          dataVersion: version,
          rowCount,
        });
        const written = committed.files[committed.files.length - 1];
        return {
          dataVersion: version,
          rowCount,
          metadata: {
            path: context.lake.locate(ref, written.name),
            schema: columns,
            bytesWritten,
            ...(append ? { files: committed.files.length } : {}),
          },
          quarantined,
          failingRows: scan.failingRows,
        };
      } finally {
        await staging.dispose();
        // NOTE: the staged temp table goes with the step's DuckDB session (one connection per step).
      }
    },

    async input(context, partitionKeys) {
      const files = await committedFiles(context, partitionKeys);
      return new LakeInput(context.assetKey, partitionKeys, files, schemaColumns(context.schema));
    },

    async preview(context, partitionKey, limit, previewOptions = {}) {
      const which = previewOptions.quarantine ? 'quarantine' : 'data';
      const files = await committedFiles(context, [partitionKey], which);
      if (files.length === 0) {
        const where = context.lake.locate({ assetKey: context.assetKey, partitionKey });
        const data = which === 'quarantine' ? await committedFiles(context, [partitionKey], 'data') : [];
        if (data.length > 0) {
          // NOTE: a written partition whose last write quarantined nothing: no rows, the data's columns.
          return await context.duckdb.queryWithColumns(`SELECT * FROM ${parquetRelation(data)} LIMIT 0`);
        }
        throw new ShopflowError(
          'SF_NOT_MATERIALIZED',
          `asset \`${context.assetKey}\` has no data in ${where}`,
          {
            hint: `materialize it first: shopflow materialize ${context.assetKey}`,
          },
        );
      }
      return await context.duckdb.queryWithColumns(`SELECT * FROM ${parquetRelation(files)} LIMIT ${limit}`);
    },

    async sweep(lake, assetKey, runIds) {
      return (await lake.sweep(assetKey, { runIds })).removed.length;
    },
  };
}
