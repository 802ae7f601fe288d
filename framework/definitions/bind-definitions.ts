import type { PartitionsBindContext, PartitionsDefinition } from '../partitions/partitions-definition.js';
import type { AnyAsset } from './define-asset.js';
import { type Definitions, defineDefinitions } from './define-definitions.js';

/**
 * The definitions as a runtime with these settings uses them: every partitions definition whose
 * bounds come from the configuration (a time window with `configure`) is replaced by its bound
 * twin, in the assets and for schedules (`resolvePartitions`). Definitions without such partitions
 * are returned as they are. Assets are copied, never changed, so two runtimes with different
 * configurations in one process each see their own partitions.
 *
 * @example
 * const bound = bindDefinitions(definitions, { settings: config, now: new Date() });
 * bound.graph.get('orders').partitions!.keys(); // the configured days
 */
export function bindDefinitions(definitions: Definitions, context: PartitionsBindContext): Definitions {
  const bound = new Map<PartitionsDefinition, PartitionsDefinition>();
  for (const asset of definitions.assets) {
    const partitions = asset.partitions;
    if (!partitions || bound.has(partitions)) continue;
    const twin = partitions.bind?.(context) ?? partitions;
    if (twin !== partitions) bound.set(partitions, twin);
  }
  // NOTE: schedules may name partitions no asset uses (e.g. the closed weeks of an asset whose
  // partitions include the open week); those are bound on first use, once.
  const resolvePartitions = <T extends PartitionsDefinition>(definition: T): T => {
    let twin = bound.get(definition);
    if (twin === undefined) {
      twin = definition.bind?.(context) ?? definition;
      bound.set(definition, twin);
    }
    return twin as T;
  };
  if (bound.size === 0) return Object.freeze({ ...definitions, resolvePartitions });

  const copies = new Map<string, AnyAsset>();
  // NOTE: the graph checks that a dependency is the very asset object the definitions hold, so
  // copies are made upstream first and point at the copies of their upstream assets.
  for (const key of definitions.graph.toposorted()) {
    const asset = definitions.graph.get(key);
    const deps = Object.fromEntries(
      Object.entries(asset.deps as Record<string, AnyAsset | string>).map(([name, dep]) => [
        name,
        typeof dep === 'string' ? dep : copies.get(dep.key)!,
      ]),
    );
    const partitions = asset.partitions && (bound.get(asset.partitions) ?? asset.partitions);
    copies.set(key, Object.freeze({ ...asset, deps, partitions }));
  }
  const resolved = defineDefinitions({
    assets: definitions.assets.map((asset) => copies.get(asset.key)!),
    resources: definitions.resources,
    commands: definitions.commands,
    hooks: definitions.hooks,
    schedules: definitions.schedules,
    sensors: definitions.sensors,
    docs: definitions.docs,
    doctorChecks: definitions.doctorChecks,
  });
  return Object.freeze({ ...resolved, resolvePartitions });
}
