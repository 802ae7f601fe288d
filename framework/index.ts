// The public entry of the ShopFlow framework. Everything an asset author, a resource or a tool
// needs is re-exported here; anything else is internal.

export { ERROR_CATALOG, ShopflowError, isShopflowError } from './errors/error-catalog.js';
export type { ErrorCode } from './errors/error-catalog.js';
export { closestMatches, didYouMean } from './errors/did-you-mean.js';

export { formatAssetPartition, formatCheckKey, parseAssetPartition, validateAssetKey } from './keys/asset-key.js';

export { defineAsset } from './definitions/define-asset.js';
export type {
  AnyAsset,
  AssetDefinition,
  AssetOutput,
  AssetSpec,
  DepsSpec,
  InputsOf,
  MaterializeContext,
  RetryPolicy,
} from './definitions/define-asset.js';
export { MaterializeResult, materialized } from './definitions/materialize-result.js';
export { defineCheck, rowCheck } from './definitions/define-check.js';
export type { AssetCheck, CheckContext, CheckResult, CheckSeverity } from './definitions/define-check.js';
export { defineResource } from './definitions/define-resource.js';
export type { ResourceDefinition, ResourceInitContext } from './definitions/define-resource.js';
export { defineDefinitions } from './definitions/define-definitions.js';
export type { CommandContext, CommandDefinition, Definitions } from './definitions/define-definitions.js';

export {
  allPartitionsMapping,
  daily,
  defaultPartitionMapping,
  identityPartitionMapping,
  monthly,
  staticPartitions,
  timeWindowPartitionMapping,
  weekly,
} from './partitions/index.js';
export type { Partition, PartitionMapping, PartitionMappingResult, PartitionsDefinition } from './partitions/index.js';

export { AssetGraph } from './graph/asset-graph.js';
export type { AssetDependency } from './graph/asset-graph.js';
export { selectAssets } from './graph/asset-selection.js';

export { SqlQuery, quoteIdentifier, quoteLiteral, sql } from './duckdb/sql-template.js';
export { DuckDbEngine, DuckDbSession } from './duckdb/duckdb-session.js';
export type { JsonRow } from './duckdb/duckdb-session.js';

export { LakeInput, lakePartitionDir, lakeTable } from './io/lake-table.js';
export { schemaColumns } from './io/schema-columns.js';
export type { ColumnInfo } from './io/schema-columns.js';
export type { InputHandle, IoContext, IoTarget, QuarantineRule, WriteResult } from './io/io-target.js';

export { planMaterialization, partitionsForFilter } from './planner/plan-materialization.js';
export type { PartitionFilter, Plan, PlanInput, PlanStep } from './planner/plan-materialization.js';
export { describeReasons } from './planner/staleness-reason.js';
export type { StalenessCode, StalenessReason } from './planner/staleness-reason.js';
export { summarizeAssetStatus } from './planner/asset-status.js';
export type { AssetStatus, AssetStatusSummary } from './planner/asset-status.js';

export { executePlan } from './executor/execute-plan.js';
export type { ExecuteOptions, RunResult } from './executor/execute-plan.js';
export { inProcessLauncher } from './executor/step-launcher.js';
export type { StepLauncher } from './executor/step-launcher.js';
export type { StepDescriptor, StepOutcome, StepServices } from './executor/step-services.js';
export { reapDeadRuns } from './executor/reap-dead-runs.js';
export { retryDelayMs } from './executor/retry-policy.js';
export { HOSTNAME, processIsAlive } from './executor/process-liveness.js';

export { openInstanceStore } from './instance/open-instance-store.js';
export type * from './instance/instance-store.js';

export { ShopflowConfigSchema } from './config/config-schema.js';
export type { ShopflowConfig } from './config/config-schema.js';
export { loadConfig } from './config/load-config.js';
export type { LoadedConfig } from './config/load-config.js';
export { validateSection } from './config/validate-section.js';
export { createLogger, redactSecrets, redactUrl } from './logging/create-logger.js';

export { ShopflowRuntime, resolveLocations } from './runtime/shopflow-runtime.js';
export { runCli } from './cli/run-cli.js';
export type { CliIo } from './cli/cli-session.js';
