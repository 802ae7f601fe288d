export { AllPartitionsMapping, allPartitionsMapping } from './mapping/all-partitions-mapping.js';
export type { DependencyNames } from './mapping/default-partition-mapping.js';
export { defaultPartitionMapping } from './mapping/default-partition-mapping.js';
export { IdentityPartitionMapping, identityPartitionMapping } from './mapping/identity-partition-mapping.js';
export {
  TimeWindowPartitionMapping,
  timeWindowPartitionMapping,
} from './mapping/time-window-partition-mapping.js';
export type {
  Partition,
  PartitionMapping,
  PartitionMappingResult,
  PartitionsBindContext,
  PartitionsDefinition,
} from './partitions-definition.js';
export { StaticPartitions, staticPartitions } from './static-partitions.js';
export type { TimeWindowCadence } from './time-window-cadence.js';
export type { TimeWindowOptions, WeeklyOptions } from './time-window-options.js';
export { daily, monthly, TimeWindowPartitions, weekly } from './time-window-partitions.js';
export { canonicalTimeZone, dateInZone, zonedMidnight, zoneOffsetMs } from './zoned-time.js';
