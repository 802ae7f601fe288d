import type { DoctorCheck } from '../doctor/doctor-check.js';
import { AssetGraph } from '../graph/asset-graph.js';
import type { PartitionsDefinition } from '../partitions/partitions-definition.js';
import type { AnyAsset } from './define-asset.js';
import type { EventHook } from './define-event-hook.js';
import type { ResourceDefinition } from './define-resource.js';
import type { ScheduleDefinition, SensorDefinition } from './define-schedule-types.js';

/** An extra CLI command contributed by a code location (e.g. `shopflow generate`). */
export interface CommandDefinition {
  name: string;
  description: string;
  /** Options as commander flags, e.g. `--scale <factor>`. */
  options?: Array<{ flags: string; description: string; defaultValue?: string }>;
  arguments?: Array<{ name: string; description: string; required?: boolean }>;
  /** Returns the exit code. `context` gives the loaded config, a logger and the output streams. */
  run(context: CommandContext, args: string[], options: Record<string, unknown>): Promise<number>;
}

export interface CommandContext {
  config: import('../config/config-schema.js').ShopflowConfig;
  home: string;
  log: import('pino').Logger;
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
  /** Whether `--json` was given. */
  json: boolean;
  /** The folder relative paths are resolved against. */
  cwd: string;
  /** Opens (once) the instance: store, definitions, engine, resources. */
  runtime(): Promise<import('../runtime/shopflow-runtime.js').ShopflowRuntime>;
  resource<T>(definition: ResourceDefinition<T>): Promise<T>;
}

/** Everything a code location defines: assets (with their checks), resources and extra commands. */
export interface Definitions {
  readonly assets: readonly AnyAsset[];
  readonly resources: readonly ResourceDefinition<unknown>[];
  readonly commands: readonly CommandDefinition[];
  readonly hooks: readonly EventHook[];
  /** Cron schedules the daemon evaluates (see `schedules/`). */
  readonly schedules: readonly ScheduleDefinition[];
  /** Sensors the daemon evaluates (see `schedules/`). */
  readonly sensors: readonly SensorDefinition[];
  /** Extra documents `shopflow docs` writes and checks (e.g. a feature catalog). */
  readonly docs: readonly GeneratedDocDefinition[];
  /** Extra checks `shopflow doctor` runs over a home (e.g. the code location's embedded servers). */
  readonly doctorChecks: readonly DoctorCheck[];
  readonly graph: AssetGraph;
  /**
   * The partitions definition these definitions use for `definition`: its bound twin when a runtime
   * bound the definitions to a configuration (`bindDefinitions`), else `definition` itself.
   * Schedules resolve the partitions they were declared with through it.
   */
  resolvePartitions<T extends PartitionsDefinition>(definition: T): T;
}

/** A document generated from code, written by `shopflow docs` into the docs folder. */
export interface GeneratedDocDefinition {
  /** File name inside the docs folder, e.g. `feature-catalog.md`. */
  name: string;
  render(): string;
}

/**
 * Collects and validates a code location: duplicate keys, unknown dependencies (with a did-you-mean)
 * and cycles (naming every asset on it) are errors here, before anything runs.
 *
 * @example
 * export default defineDefinitions({ assets: [rawCustomers, silverCustomers], resources: [postgres] });
 */
export function defineDefinitions(input: {
  assets: readonly AnyAsset[];
  resources?: readonly ResourceDefinition<any, any>[];
  commands?: readonly CommandDefinition[];
  hooks?: readonly EventHook[];
  schedules?: readonly ScheduleDefinition[];
  sensors?: readonly SensorDefinition[];
  docs?: readonly GeneratedDocDefinition[];
  doctorChecks?: readonly DoctorCheck[];
}): Definitions {
  const graph = new AssetGraph(input.assets);
  return Object.freeze({
    assets: input.assets,
    resources: input.resources ?? [],
    commands: input.commands ?? [],
    hooks: input.hooks ?? [],
    docs: input.docs ?? [],
    doctorChecks: input.doctorChecks ?? [],
    schedules: input.schedules ?? [],
    sensors: input.sensors ?? [],
    graph,
    resolvePartitions: <T extends PartitionsDefinition>(definition: T): T => definition,
  });
}
