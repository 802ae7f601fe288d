import type { Logger } from 'pino';
import type { z } from 'zod';
import type { DuckDbSession } from '../duckdb/duckdb-session.js';
import type { SqlFragment, SqlQuery } from '../duckdb/sql-template.js';
import { ShopflowError } from '../errors/error-catalog.js';
import type { InputHandle, IoTarget } from '../io/io-target.js';
import { lakeTable } from '../io/lake-table.js';
import type { Sensitivity } from '../io/schema-columns.js';
import { validateAssetKey } from '../keys/asset-key.js';
import type {
  Partition,
  PartitionMapping,
  PartitionsDefinition,
} from '../partitions/partitions-definition.js';
import type { AssetCheck } from './define-check.js';
import type { ResourceDefinition } from './define-resource.js';
import type { ExternalInput, ObservedInput, ObserveInputsContext } from './external-input.js';
import type { MaterializeResult } from './materialize-result.js';

/** Retry policy of one asset's steps: exponential backoff with full jitter. */
export interface RetryPolicy {
  maxRetries: number;
  delayMs: number;
  backoff: number;
  maxDelayMs: number;
}

/** What an asset's `materialize` may return; which forms are accepted depends on its IO target. */
export type AssetOutput<S extends z.ZodObject = z.ZodObject> =
  | SqlQuery
  | Array<z.input<S>>
  | MaterializeResult;

export type AnyAsset = AssetDefinition<any, any, any>;
export type DepsSpec = Record<string, AnyAsset | string>;

/**
 * The resources a step of `asset` uses that are declared ahead: the asset's own and its IO
 * target's, each once (by name).
 */
export function declaredResources(asset: AnyAsset): Array<ResourceDefinition<unknown>> {
  const byName = new Map<string, ResourceDefinition<unknown>>();
  for (const resource of [...(asset.io.resources ?? []), ...asset.resources]) {
    if (!byName.has(resource.name)) byName.set(resource.name, resource);
  }
  return [...byName.values()];
}
export type InputsOf<D extends DepsSpec> = {
  [K in keyof D]: D[K] extends AssetDefinition<z.ZodObject, DepsSpec, infer H> ? H : InputHandle;
};

/** What `materialize` receives. */
/** What an engine's explainer (`explainOn`) is handed. */
export interface ExplainOnContext {
  partitionKey: string | null;
  /** Execute the statement (read only) and report each operator's time. */
  analyze: boolean;
  resource<T>(definition: ResourceDefinition<T>): Promise<T>;
}

export interface MaterializeContext<D extends DepsSpec = DepsSpec> {
  assetKey: string;
  runId: string;
  /** The partition being materialized, or null for an unpartitioned asset. */
  partition: Partition | null;
  partitionKey: string | null;
  /** Handles on the upstream partitions this step reads (mapped through the partition mappings). */
  deps: InputsOf<D>;
  /** The instants the asset's `readsUntil` gave for this step, by dependency; empty without it. */
  readsUntil: { readonly [K in keyof D & string]?: string };
  duckdb: DuckDbSession;
  log: Logger;
  resource<T>(definition: ResourceDefinition<T>): Promise<T>;
  /** Adds metadata to the materialization (shown by the CLI and the web page). */
  addMetadata(metadata: Record<string, unknown>): void;
  /**
   * This partition as stored before this materialization (an empty relation with the schema's
   * columns when it never was), for assets that fold new data into what they hold, e.g. a stream
   * sink upserting closed windows. Read it before returning: the write replaces it.
   */
  previous(): Promise<InputHandle>;
  /**
   * From when the unpartitioned upstream `name` (one that reports `changedFrom`, e.g. versions
   * dated by `updated_at`) differs from the version this partition's latest materialization read:
   * an ISO-8601 instant, `'never'` when it is the same version or no change since is dated, or
   * null when that cannot be told (a first read, an upstream without a change log, a log that no
   * longer reaches back) — read all of it then. Lets an incremental load re-read a change dated
   * before its watermark.
   */
  upstreamChangedFrom(name: keyof D & string): Promise<string | null>;
  /**
   * Checkpoints of this asset in the instance store (e.g. an `updated_at` watermark). `stage` values
   * are saved only after the materialization has been recorded, so a failed step never advances them.
   */
  checkpoints: {
    get<T = unknown>(name?: string): Promise<T | undefined>;
    stage(value: unknown, name?: string): void;
  };
  /**
   * Records an input read from outside the graph (a file, a landed object) with a fingerprint of
   * its content; with `observeInputs`, the planner makes this partition stale once it changes.
   */
  recordInput(input: ExternalInput): void;
}

export interface AssetSpec<S extends z.ZodObject, D extends DepsSpec, H extends InputHandle> {
  /** snake_case, unique in the definitions. */
  key: string;
  group?: string;
  description: string;
  /** Upstream assets by local name; a string names an asset by key (resolved when definitions are built). */
  deps?: D;
  /** The output's columns: types, descriptions (`.describe()`), `.meta({ pii: true })`. */
  schema: S;
  partitions?: PartitionsDefinition;
  /** Per dependency, how partitions map (default: see `defaultPartitionMapping`). */
  partitionMappings?: Partial<Record<keyof D & string, PartitionMapping>>;
  /** Change it when the code changes what the asset computes: the asset and its downstream become stale. */
  codeVersion?: string;
  io?: IoTarget<AssetOutput, H>;
  /**
   * Resources `materialize` uses, beyond those its IO target declares. Optional: any resource is
   * created on its first use. A declared one is started as soon as a run that will materialize the
   * asset begins, in the background, so a slow start (an embedded database server) overlaps the
   * upstream steps instead of waiting until the first step that needs it.
   */
  resources?: ReadonlyArray<ResourceDefinition<any>>;
  checks?: AssetCheck[];
  tags?: string[];
  owners?: string[];
  /** Maximum age of the latest materialization before the asset is overdue. */
  freshness?: { maxLagMinutes: number };
  retry?: Partial<RetryPolicy>;
  /**
   * Record the DuckDB plan of the statement `materialize` returns with each materialization
   * (metadata `plan`, shown on the asset page). Planning costs no execution. `shopflow explain`
   * prints the plan of any asset that returns a statement, opted in or not.
   */
  explain?: boolean;
  /**
   * Plans of the asset's statement on other engines, by engine name, for `shopflow explain ASSET
   * --on ENGINE` (e.g. the same query on the PostgreSQL warehouse). Each returns the plan as text.
   */
  explainOn?: Record<string, (context: ExplainOnContext) => Promise<string>>;
  /**
   * For an asset whose `materialize` does not return a statement (it loads a table, reads files):
   * the dependency (local name) whose columns it copies under the same names. Those columns inherit
   * that dependency's classification and show it as their lineage (see `shopflow docs`).
   */
  columnsFrom?: keyof D & string;
  /**
   * The class of the columns nothing else classifies: neither declared on the column
   * (`meta({ classification })`, `meta({ pii })`) nor traced to an upstream column
   * (the statement's column lineage, or `columnsFrom`). Without it such a column is unclassified
   * and `shopflow docs --check` fails.
   */
  classification?: Sensitivity;
  /**
   * Set for an asset that a process outside of plans writes as data arrives, e.g. `shopflow stream
   * consume` committing closed windows: says who. Plans never schedule it (that writer runs its
   * partitions through the executor itself); readers get the partitions it has written, and one
   * it has not written yet is absent for them rather than awaited.
   */
  writtenBy?: string;
  /**
   * For an unpartitioned, time-indexed asset that partitions read through `asOfWindowMapping`: a
   * query over its `previous` and `current` data returning one row with one TIMESTAMPTZ column, the
   * earliest instant from which a reader can see a difference (NULL when none can, `-infinity` when
   * any can). Evaluated after each write that changed the data version; readers whose window ends
   * before it are not re-materialized. Assets that write their data themselves return
   * `materialized({ changedFrom })` instead.
   */
  changedFrom?(data: { previous: SqlFragment; current: SqlFragment }): SqlQuery;
  /**
   * The current fingerprints of the external inputs a partition's latest materialization recorded
   * (`recordInput`). Plans, `shopflow assets` and the web page ask it: a fingerprint that differs
   * from the recorded one makes the partition stale (`input_changed`), and its downstream with it.
   * Keep it cheap: compare the recorded `probe` first, hash only when it differs.
   */
  observeInputs?(context: ObserveInputsContext): Promise<ObservedInput[]>;
  /**
   * For an unpartitioned asset that reads its inputs only up to an instant that follows from the
   * partitions they have (a training set labelled up to the last complete window): given the
   * materialized partition keys of each dependency (local name), the instant (ISO-8601) from which
   * it reads nothing of some of them. Partitions of a time-partitioned dependency that start at or
   * after its instant are not handed to `materialize` (nor recorded as read); a change of an
   * unpartitioned one whose change log says it starts at or after its instant is one the query
   * promises not to see (it reads that dependency as of an instant before it). The step then runs
   * only when its instants move or something before them changes: new data after them neither
   * makes the asset stale nor re-runs it. `materialize` gets the instants as `readsUntil`.
   */
  readsUntil?(partitionKeys: { [K in keyof D & string]: readonly string[] }): {
    [K in keyof D & string]?: string;
  };
  materialize(context: MaterializeContext<D>): Promise<AssetOutput<S>> | AssetOutput<S>;
}

/** A declared asset: the spec, normalized. */
export interface AssetDefinition<
  S extends z.ZodObject = z.ZodObject,
  D extends DepsSpec = DepsSpec,
  H extends InputHandle = InputHandle,
> extends Readonly<
    Omit<
      AssetSpec<S, D, H>,
      'deps' | 'group' | 'codeVersion' | 'io' | 'resources' | 'checks' | 'tags' | 'owners'
    >
  > {
  readonly kind: 'asset';
  readonly group: string;
  readonly codeVersion: string;
  readonly deps: D;
  readonly io: IoTarget<AssetOutput, H>;
  readonly resources: ReadonlyArray<ResourceDefinition<any>>;
  readonly checks: readonly AssetCheck[];
  readonly tags: readonly string[];
  readonly owners: readonly string[];
}

const CHECK_NAME = /^[a-z][a-z0-9_]*$/;

/**
 * Declares an asset. The output row type is inferred from `schema`.
 *
 * @example
 * export const silverCustomers = defineAsset({
 *   key: 'silver_customers',
 *   group: 'silver',
 *   description: 'Typed, deduplicated customer profiles.',
 *   deps: { raw: rawCustomers },
 *   schema: z.object({ customer_id: z.number().int(), email: z.string() }),
 *   checks: [rowCheck({ name: 'email_present', validWhen: 'email is not null' })],
 *   materialize: ({ deps, duckdb }) => duckdb.sql`select distinct customer_id, email from ${deps.raw}`,
 * });
 */
export function defineAsset<
  S extends z.ZodObject,
  D extends DepsSpec = Record<never, never>,
  H extends InputHandle = InputHandle,
>(spec: AssetSpec<S, D, H>): AssetDefinition<S, D, H> {
  validateAssetKey(spec.key);
  const checks = spec.checks ?? [];
  const seen = new Set<string>();
  for (const check of checks) {
    if (!CHECK_NAME.test(check.name)) {
      throw new ShopflowError(
        'SF_INVALID_ASSET',
        `check name \`${check.name}\` on asset \`${spec.key}\` is not snake_case`,
      );
    }
    if (seen.has(check.name)) {
      throw new ShopflowError(
        'SF_INVALID_ASSET',
        `asset \`${spec.key}\` has two checks named \`${check.name}\``,
        {
          hint: 'give each check of an asset its own name',
        },
      );
    }
    seen.add(check.name);
  }
  if (spec.freshness && !(spec.freshness.maxLagMinutes > 0)) {
    throw new ShopflowError(
      'SF_INVALID_ASSET',
      `asset \`${spec.key}\` has freshness.maxLagMinutes ${spec.freshness.maxLagMinutes}`,
      {
        hint: 'use a positive number of minutes',
      },
    );
  }
  if (spec.readsUntil && spec.partitions) {
    throw new ShopflowError(
      'SF_INVALID_ASSET',
      `asset \`${spec.key}\` is partitioned and declares readsUntil, which only unpartitioned assets use`,
      {
        hint: 'remove readsUntil: a partition reads an upstream up to its window end through asOfWindowMapping',
      },
    );
  }
  if (spec.changedFrom && spec.partitions) {
    throw new ShopflowError(
      'SF_INVALID_ASSET',
      `asset \`${spec.key}\` is partitioned and declares changedFrom, which only unpartitioned assets report`,
      { hint: 'remove changedFrom, or read the partitions through a partition mapping instead' },
    );
  }
  return Object.freeze({
    ...spec,
    kind: 'asset' as const,
    group: spec.group ?? 'default',
    codeVersion: spec.codeVersion ?? '1',
    deps: (spec.deps ?? {}) as D,
    io: (spec.io ?? lakeTable()) as IoTarget<AssetOutput, H>,
    resources: Object.freeze([...(spec.resources ?? [])]),
    checks: Object.freeze([...checks]),
    tags: Object.freeze([...(spec.tags ?? [])]),
    owners: Object.freeze([...(spec.owners ?? [])]),
  });
}
