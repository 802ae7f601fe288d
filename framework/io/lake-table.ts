import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { MaterializeResult } from '../definitions/materialize-result.js';
import type { DuckDbSession } from '../duckdb/duckdb-session.js';
import { quoteIdentifier, quoteLiteral, SqlQuery } from '../duckdb/sql-template.js';
import { ShopflowError } from '../errors/error-catalog.js';
import type { InputHandle, IoContext, IoTarget, ResolvedQuarantineRule, WriteResult } from './io-target.js';
import { type ColumnInfo, schemaColumns } from './schema-columns.js';

const DATA_FILE = 'data.parquet';
const FILES_MANIFEST = '_files.json';
const QUARANTINE_FILE = 'quarantine.parquet';
const TMP_MARK = '.tmp-';

/** The folder holding one partition of a lake table. */
export function lakePartitionDir(lakeRoot: string, assetKey: string, partitionKey: string | null): string {
  return partitionKey === null
    ? join(lakeRoot, assetKey)
    : join(lakeRoot, assetKey, `partition=${partitionKey}`);
}

/**
 * The Parquet files that make up one stored partition: the files listed in `_files.json` (append
 * mode) or `data.parquet` (overwrite mode). The manifest is replaced atomically, so readers always
 * see a complete set.
 */
export function partitionFiles(dir: string): string[] {
  const manifest = join(dir, FILES_MANIFEST);
  if (existsSync(manifest)) {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { files: string[] }).files.map((f) => join(dir, f));
  }
  const data = join(dir, DATA_FILE);
  return existsSync(data) ? [data] : [];
}

function writeManifest(dir: string, files: string[]): void {
  const tmp = join(dir, `${TMP_MARK}manifest-${randomBytes(4).toString('hex')}.json`);
  writeFileSync(tmp, JSON.stringify({ files: files.map((f) => basename(f)) }));
  renameSync(tmp, join(dir, FILES_MANIFEST));
}

/** What {@link compactLakePartition} did. */
export interface CompactionResult {
  dir: string;
  filesBefore: number;
  filesAfter: number;
  rows: number;
  /** Content hash before and after: equal, or the compaction was abandoned. */
  dataVersion: string;
}

/**
 * Merges the Parquet files of one partition into one file with large row groups, without changing
 * the data: the content hash and row count of the merged file must equal those of the files it
 * replaces, or nothing is swapped. The new file list is published atomically, then the old files
 * are removed. The caller holds the partition lock.
 */
export async function compactLakePartition(
  duckdb: DuckDbSession,
  dir: string,
  options: { rowGroupSize?: number } = {},
): Promise<CompactionResult> {
  const files = partitionFiles(dir);
  if (files.length === 0) throw new ShopflowError('SF_NOT_MATERIALIZED', `nothing to compact in ${dir}`);
  const before = await dataVersionOf(duckdb, files);
  if (files.length === 1)
    return { dir, filesBefore: 1, filesAfter: 1, rows: before.rowCount, dataVersion: before.version };
  const tmp = join(dir, `${TMP_MARK}compact-${randomBytes(4).toString('hex')}.parquet`);
  try {
    const source = `read_parquet([${files.map(quoteLiteral).join(', ')}], union_by_name = true, hive_partitioning = false)`;
    await duckdb.run(
      `COPY (SELECT * FROM ${source}) TO ${quoteLiteral(tmp)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${options.rowGroupSize ?? 122_880})`,
    );
    const after = await dataVersionOf(duckdb, tmp);
    if (after.version !== before.version || after.rowCount !== before.rowCount) {
      throw new ShopflowError(
        'SF_IO',
        `compacting ${dir} would change its data (${before.rowCount} → ${after.rowCount} rows); nothing was changed`,
      );
    }
    const merged = join(dir, `part-${Date.now()}-compacted.parquet`);
    renameSync(tmp, merged);
    writeManifest(dir, [merged]);
    for (const file of files) if (file !== merged) rmSync(file, { force: true });
    return {
      dir,
      filesBefore: files.length,
      filesAfter: 1,
      rows: after.rowCount,
      dataVersion: after.version,
    };
  } finally {
    rmSync(tmp, { force: true });
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
      return `read_parquet([${this.files.map(quoteLiteral).join(', ')}], union_by_name = true, hive_partitioning = false)`;
    }
    // NOTE: no partition was ever written; an empty relation with the declared columns keeps
    // downstream SQL valid.
    const cols = this.columns.map((c) => `NULL::${c.type} AS ${quoteIdentifier(c.name)}`).join(', ');
    return `(SELECT ${cols || 'NULL AS none'} WHERE FALSE)`;
  }
}

function relationOf(columns: ColumnInfo[], file: string): string {
  const spec = columns.map((c) => `${quoteLiteral(c.name)}: ${quoteLiteral(c.type)}`).join(', ');
  return `read_json(${quoteLiteral(file)}, format = 'newline_delimited', columns = {${spec}})`;
}

async function dataVersionOf(
  duckdb: DuckDbSession,
  file: string | string[],
): Promise<{ rowCount: number; version: string; columns: Array<{ name: string; type: string }> }> {
  const files = Array.isArray(file) ? file : [file];
  const relation = `read_parquet([${files.map(quoteLiteral).join(', ')}], union_by_name = true, hive_partitioning = false)`;
  const described = await duckdb.query(`DESCRIBE SELECT * FROM ${relation}`);
  const columns = described.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
  // NOTE: an order-independent sum of row hashes, so the same rows written in a different order by
  // parallel DuckDB threads give the same data version.
  const [row] = await duckdb.query(
    `SELECT count(*)::BIGINT AS n, coalesce(sum(hash(t)::HUGEINT), 0)::VARCHAR AS h FROM ${relation} t`,
  );
  const digest = createHash('sha256')
    .update(JSON.stringify(columns))
    .update(`|${row.n}|${row.h}`)
    .digest('hex')
    .slice(0, 20);
  return { rowCount: Number(row.n), version: digest, columns };
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

async function sourceQuery(
  context: IoContext,
  output: unknown,
  tmpBase: string,
): Promise<{ query: string; cleanup: string[] }> {
  if (output instanceof SqlQuery) return { query: output.text, cleanup: [] };
  if (Array.isArray(output)) {
    const file = `${tmpBase}.rows.jsonl`;
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
    const columns = schemaColumns(context.schema);
    return { query: `SELECT * FROM ${relationOf(columns, file)}`, cleanup: [file] };
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
 * A Parquet table in the lake, one file per partition at
 * `<lake>/<asset>/partition=<key>/data.parquet` (unpartitioned: `<lake>/<asset>/data.parquet`),
 * written by DuckDB. Writes go to a temporary file renamed into place, so readers always see a
 * complete previous or new version. Row-level quarantine rules split failing rows into
 * `quarantine.parquet` beside the data, with the names of the rules each row broke.
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

    location(assetKey, partitionKey, lakeRoot) {
      return join(lakePartitionDir(lakeRoot, assetKey, partitionKey), DATA_FILE);
    },

    async write(context, output): Promise<WriteResult> {
      const dir = lakePartitionDir(context.lakeRoot, context.assetKey, context.partitionKey);
      mkdirSync(dir, { recursive: true });
      const tmpBase = join(dir, `${TMP_MARK}${context.runId}-${randomBytes(4).toString('hex')}`);
      const { query, cleanup } = await sourceQuery(context, output, tmpBase);
      const tmpData = `${tmpBase}.parquet`;
      const tmpQuarantine = `${tmpBase}.quarantine.parquet`;
      const staged = `staged_${randomBytes(6).toString('hex')}`;
      const rules = context.quarantine;
      let quarantined: WriteResult['quarantined'];
      try {
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
          const counts = await context.duckdb.query(
            `SELECT rule, count(*)::BIGINT AS n FROM (SELECT unnest(__failed) AS rule FROM ${staged}) GROUP BY rule`,
          );
          quarantined = {};
          for (const rule of rules) {
            const n = Number(counts.find((c) => c.rule === rule.name)?.n ?? 0);
            const sample =
              n > 0
                ? await context.duckdb.query(
                    `SELECT * EXCLUDE (__failed) FROM ${staged} WHERE list_contains(__failed, ${quoteLiteral(rule.name)}) LIMIT 5`,
                  )
                : [];
            quarantined[rule.name] = { rows: n, sample };
          }
          await context.duckdb.run(
            `COPY (SELECT * EXCLUDE (__failed), array_to_string(__failed, ',') AS quarantine_rules FROM ${staged} WHERE len(__failed) > 0) TO ${quoteLiteral(tmpQuarantine)} ${copyOptions}`,
          );
        }
        let { rowCount, version, columns } = await dataVersionOf(context.duckdb, tmpData);
        checkContract(context.assetKey, schemaColumns(context.schema), columns);
        let path = join(dir, DATA_FILE);
        if (append) {
          // NOTE: the new part becomes visible only when the manifest that lists it is swapped in.
          const previous = partitionFiles(dir);
          path = join(dir, `part-${Date.now()}-${randomBytes(3).toString('hex')}.parquet`);
          renameSync(tmpData, path);
          writeManifest(dir, [...previous, path]);
          ({ rowCount, version, columns } = await dataVersionOf(context.duckdb, [...previous, path]));
        } else {
          const previous = partitionFiles(dir);
          renameSync(tmpData, path);
          if (existsSync(join(dir, FILES_MANIFEST))) {
            rmSync(join(dir, FILES_MANIFEST), { force: true });
            for (const file of previous) if (file !== path) rmSync(file, { force: true });
          }
        }
        if (rules.length > 0) {
          const total = Object.values(quarantined ?? {}).reduce((sum, q) => sum + q.rows, 0);
          if (total > 0) renameSync(tmpQuarantine, join(dir, QUARANTINE_FILE));
          else rmSync(join(dir, QUARANTINE_FILE), { force: true });
        }
        return {
          dataVersion: version,
          rowCount,
          metadata: { path, schema: columns, ...(append ? { files: partitionFiles(dir).length } : {}) },
          quarantined,
        };
      } finally {
        for (const file of [...cleanup, tmpData, tmpQuarantine]) rmSync(file, { force: true });
        if (rules.length > 0) await context.duckdb.run(`DROP TABLE IF EXISTS ${staged}`).catch(() => {});
      }
    },

    async input(context, partitionKeys) {
      const files = partitionKeys.flatMap((key) =>
        partitionFiles(lakePartitionDir(context.lakeRoot, context.assetKey, key)),
      );
      return new LakeInput(context.assetKey, partitionKeys, files, schemaColumns(context.schema));
    },

    async preview(context, partitionKey, limit) {
      const dir = lakePartitionDir(context.lakeRoot, context.assetKey, partitionKey);
      const files = partitionFiles(dir);
      if (files.length === 0) {
        throw new ShopflowError(
          'SF_NOT_MATERIALIZED',
          `asset \`${context.assetKey}\` has no data in ${dir}`,
          {
            hint: `materialize it first: shopflow materialize ${context.assetKey}`,
          },
        );
      }
      return await context.duckdb.queryWithColumns(
        `SELECT * FROM read_parquet([${files.map(quoteLiteral).join(', ')}], union_by_name = true, hive_partitioning = false) LIMIT ${limit}`,
      );
    },

    async sweep(lakeRoot, assetKey, runIds) {
      const root = join(lakeRoot, assetKey);
      if (!existsSync(root)) return 0;
      let removed = 0;
      const visit = (dir: string) => {
        for (const entry of readdirSync(dir, { withFileTypes: true })) {
          const path = join(dir, entry.name);
          if (entry.isDirectory()) visit(path);
          else if (
            entry.name.startsWith(TMP_MARK) &&
            runIds.some((id) => entry.name.startsWith(`${TMP_MARK}${id}-`))
          ) {
            rmSync(path, { force: true });
            removed++;
          }
        }
      };
      visit(root);
      return removed;
    },
  };
}
