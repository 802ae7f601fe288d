import type { z } from 'zod';
import type { ResourceDefinition } from '../definitions/define-resource.js';
import type { DuckDbSession } from '../duckdb/duckdb-session.js';
import type { SqlFragment } from '../duckdb/sql-template.js';
import type { LakeStorage } from './lake-storage/lake-storage.js';

/** The step a {@link RowPredicate} is resolved for. */
export interface PredicateStep {
  /** The partition the step writes (null: unpartitioned). */
  partitionKey: string | null;
}

/**
 * A DuckDB predicate a valid row satisfies (NULL counts as failing), or a function building it from
 * the step's upstream handles and partition (for referential rules:
 * `(deps) => \`id in (select id from ${deps.x.toSql()})\``; as of the partition's day:
 * `(deps, { partitionKey }) => …`). Window functions are allowed (e.g. for uniqueness).
 */
export type RowPredicate =
  | string
  | ((deps: Record<string, InputHandle>, step: PredicateStep) => string | { text: string });

/** Resolves a {@link RowPredicate} against the step's upstream handles and partition. */
export function resolvePredicate(
  predicate: RowPredicate,
  deps: Record<string, InputHandle>,
  step: PredicateStep,
): string {
  if (typeof predicate === 'string') return predicate;
  const built = predicate(deps, step);
  return typeof built === 'string' ? built : built.text;
}

/** A row-level rule whose failing rows are moved to the asset's quarantine instead of failing it. */
export interface QuarantineRule {
  /** The check name, recorded with each quarantined row. */
  name: string;
  validWhen: RowPredicate;
}

/** A quarantine rule with its predicate resolved for one step. */
export interface ResolvedQuarantineRule {
  name: string;
  validWhen: string;
  /**
   * Where only the number of failing rows is wanted: an aggregate over the rows (columns by name)
   * equal to it, cheaper than the row-by-row predicate (see `AssetCheck.rowRule`).
   */
  failingCount?: string;
}

/**
 * The aggregate counting a rule's failing rows in a scan whose rows carry the rule's verdict as the
 * column `alias` — or, for a rule with a `failingCount`, whose rows carry the data's own columns.
 */
export function failingCountOf(rule: ResolvedQuarantineRule & { alias: string }): string {
  return rule.failingCount
    ? `(${rule.failingCount})::BIGINT AS ${rule.alias}`
    : `count(*) FILTER (WHERE NOT ${rule.alias})::BIGINT AS ${rule.alias}`;
}

/** What an IO target needs to read or write one asset partition. */
export interface IoContext {
  assetKey: string;
  partitionKey: string | null;
  runId: string;
  /** The asset's output schema (zod object). */
  schema: z.ZodObject;
  duckdb: DuckDbSession;
  /** Where the lake's files live (a local folder or S3). */
  lake: LakeStorage;
  resource<T>(definition: ResourceDefinition<T>): Promise<T>;
  /** Row-level rules to apply while writing (only targets that support quarantine use them). */
  quarantine: ResolvedQuarantineRule[];
  /**
   * Row rules of the asset's checks (`rowCheck`): a target that scans what it wrote anyway (to hash
   * it) counts each rule's failing rows in the same scan and returns them as `failingRows`, so the
   * checks need no scan of their own. Targets that do not are given none.
   */
  rowRules?: ResolvedQuarantineRule[];
  /**
   * The data versions the instance store records for partitions about to be read (by partition
   * key); a target may use them to skip looking a partition up again when it knows that version.
   */
  dataVersions?: ReadonlyMap<string | null, string>;
}

export interface WriteResult {
  /** Content hash of what was written. */
  dataVersion: string;
  rowCount: number | null;
  metadata: Record<string, unknown>;
  /** Rows moved to quarantine per rule name. */
  quarantined?: Record<string, { rows: number; sample: unknown[] }>;
  /** Failing rows of the written data per row rule of {@link IoContext.rowRules}. */
  failingRows?: Record<string, number>;
}

/**
 * The data of one or more upstream partitions, handed to a downstream step. It renders itself as a
 * SQL fragment so it can be interpolated into DuckDB queries.
 */
export interface InputHandle extends SqlFragment {
  readonly assetKey: string;
  readonly partitionKeys: Array<string | null>;
}

/**
 * Where and how an asset's output is stored. Writes must be atomic: a failed or killed step leaves
 * the previous version readable.
 */
export interface IoTarget<Output = unknown, Input extends InputHandle = InputHandle> {
  readonly kind: string;
  /** Whether `write` applies {@link IoContext.quarantine} rules itself. */
  readonly supportsQuarantine: boolean;
  /**
   * Whether each write adds to the stored partition instead of replacing it: a damaged stored file
   * cannot then be rewritten from the asset's inputs.
   */
  readonly appends?: boolean;
  /**
   * Resources the target's reads and writes use (e.g. the database a table lives in): started when
   * a run that will materialize an asset stored here begins (see `AssetSpec.resources`).
   */
  readonly resources?: ReadonlyArray<ResourceDefinition<any>>;
  /** Where the partition lives, for people (path, table name, URL). */
  location(assetKey: string, partitionKey: string | null, lake: LakeStorage): string;
  write(context: IoContext, output: Output): Promise<WriteResult>;
  /** A handle on stored partitions for a downstream step (partitions that were never written are absent). */
  input(context: IoContext, partitionKeys: Array<string | null>): Promise<Input>;
  /**
   * Up to `limit` rows of one partition, for `shopflow show` and the web page; with `quarantine`,
   * its quarantined rows (targets with {@link supportsQuarantine}).
   */
  preview(
    context: IoContext,
    partitionKey: string | null,
    limit: number,
    options?: { quarantine?: boolean },
  ): Promise<{ columns: Array<{ name: string; type: string }>; rows: Record<string, unknown>[] }>;
  /** Removes leftovers of writes that never finished (`runIds` are the dead runs). */
  sweep?(lake: LakeStorage, assetKey: string, runIds: string[]): Promise<number>;
}
