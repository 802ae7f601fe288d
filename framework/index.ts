// The public entry of the ShopFlow framework. Everything an asset author, a resource or a tool
// needs is re-exported here; anything else is internal.

export { glueTableInput, hiveType } from './catalog/glue-table-input.js';
export { type CatalogEntry, describeCatalog, type TableFacts, tableFacts } from './catalog/lake-catalog.js';
export type { CliIo } from './cli/cli-session.js';
export { runCli } from './cli/run-cli.js';
export type { ShopflowConfig } from './config/config-schema.js';
export { ShopflowConfigSchema } from './config/config-schema.js';
export type { DataFolders } from './config/data-folders.js';
export { dataFolders } from './config/data-folders.js';
export type { LoadedConfig } from './config/load-config.js';
export { loadConfig } from './config/load-config.js';
export { validateSection } from './config/validate-section.js';
export { bindDefinitions } from './definitions/bind-definitions.js';
export { changedFromColumn } from './definitions/changed-from.js';
export type { DecimalType } from './definitions/decimal-column.js';
export { decimal, decimalTypeOf } from './definitions/decimal-column.js';
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
export { declaredResources, defineAsset } from './definitions/define-asset.js';
export type { AssetCheck, CheckContext, CheckResult, CheckSeverity } from './definitions/define-check.js';
export { defineCheck, rowCheck } from './definitions/define-check.js';
export type { CommandContext, CommandDefinition, Definitions } from './definitions/define-definitions.js';
export { defineDefinitions } from './definitions/define-definitions.js';
export type { EventHook, EventHookContext } from './definitions/define-event-hook.js';
export { defineEventHook } from './definitions/define-event-hook.js';
export type { ResourceDefinition, ResourceInitContext } from './definitions/define-resource.js';
export { defineResource } from './definitions/define-resource.js';
export type {
  Alert,
  AlertKind,
  CatchUpPolicy,
  RunRequest,
  ScheduleDefinition,
  ScheduleTickContext,
  SensorContext,
  SensorDefinition,
  SensorResult,
} from './definitions/define-schedule-types.js';
export type { ExternalInput, ObservedInput, ObserveInputsContext } from './definitions/external-input.js';
export { MaterializeResult, materialized } from './definitions/materialize-result.js';
export type { DoctorCheck, DoctorContext, DoctorFinding, DoctorStatus } from './doctor/doctor-check.js';
export { decimalQuotient, decimalRound, roundedQuotient } from './duckdb/decimal-sql.js';
export type { DuckDbTrace, DuckDbTraceEntry, JsonRow } from './duckdb/duckdb-session.js';
export { DuckDbEngine, DuckDbSession, setDuckDbTrace } from './duckdb/duckdb-session.js';
export type { SqlFragment } from './duckdb/sql-template.js';
export { quoteIdentifier, quoteLiteral, SqlQuery, sql } from './duckdb/sql-template.js';
export { closestMatches, didYouMean } from './errors/did-you-mean.js';
export type { ErrorCode } from './errors/error-catalog.js';
export { ERROR_CATALOG, isShopflowError, ShopflowError } from './errors/error-catalog.js';
export type { ExecuteOptions, RunResult } from './executor/execute-plan.js';
export { executePlan } from './executor/execute-plan.js';
export { finishAbandonedRun, lastSignOfLife } from './executor/finish-abandoned-run.js';
export { HOSTNAME, processIsAlive } from './executor/process-liveness.js';
export { openStepQueue } from './executor/queue/open-step-queue.js';
export type { QueueLauncherOptions } from './executor/queue/queue-launcher.js';
export { queueLauncher } from './executor/queue/queue-launcher.js';
export { leaseExpired, readStepLease, StepLease, stepLeaseKey } from './executor/queue/step-lease.js';
export type { StepQueueOptions } from './executor/queue/step-queue.js';
export { DEFAULT_QUEUE, queueSchemaOf, StepQueue } from './executor/queue/step-queue.js';
export type { StepReport } from './executor/queue/step-report.js';
export { readStepReport, stepReportName } from './executor/queue/step-report.js';
export type { StepWorkerOptions } from './executor/queue/step-worker.js';
export { startStepWorker } from './executor/queue/step-worker.js';
export { reapDeadRuns } from './executor/reap-dead-runs.js';
export { retryDelayMs } from './executor/retry-policy.js';
export type { CancelRequestResult } from './executor/run-cancellation.js';
export { CancelWatch, requestRunCancel } from './executor/run-cancellation.js';
export type { StepLauncher } from './executor/step-launcher.js';
export { inProcessLauncher } from './executor/step-launcher.js';
export type { StepDescriptor, StepOutcome, StepServices } from './executor/step-services.js';
export type { ColumnClass, ColumnClassification } from './governance/column-classification.js';
export {
  classifyColumnInfos,
  classifyColumns,
  sensitiveColumns,
} from './governance/column-classification.js';
export { assetMasking } from './governance/graph-classification.js';
export { maskMaterializationMetadata, maskRows, maskValue, PII_MASK } from './governance/mask-rows.js';
export {
  type ColumnFinding,
  classifySample,
  detectPii,
  ibanValid,
  luhnValid,
  NameVocabulary,
  PII_KINDS,
  type PiiKind,
} from './governance/pii-detectors.js';
export type { AssetDependency } from './graph/asset-graph.js';
export { AssetGraph } from './graph/asset-graph.js';
export { selectAssets } from './graph/asset-selection.js';
export type * from './instance/instance-store.js';
export { openInstanceStore } from './instance/open-instance-store.js';
export type { PauseState } from './instance/schedule-pause.js';
export { isPaused, pauseCheckpointName, readPauseState, setPaused } from './instance/schedule-pause.js';
export { hashFile, READ_WHOLE_BYTES } from './io/blob/staged-body.js';
export type {
  InputHandle,
  IoContext,
  IoTarget,
  PredicateStep,
  QuarantineRule,
  ResolvedQuarantineRule,
  RowPredicate,
  WriteResult,
} from './io/io-target.js';
export { resolvePredicate } from './io/io-target.js';
export { createLakeStorage } from './io/lake-storage/create-lake-storage.js';
export {
  type LakeFileProblem,
  lakeCorruptError,
  type VerifyDepth,
} from './io/lake-storage/lake-file-integrity.js';
export type { CacheUsage } from './io/lake-storage/lake-read-cache.js';
export { LakeReadCache } from './io/lake-storage/lake-read-cache.js';
export type {
  CommitRequest,
  DataChange,
  LakeFile,
  LakeStaging,
  LakeStorage,
  PartitionRef,
  PartitionVersion,
  SweepOptions,
  SweepResult,
} from './io/lake-storage/lake-storage.js';
export {
  createLocalLakeStorage,
  lakePartitionDir,
  partitionFiles,
} from './io/lake-storage/local/local-lake-storage.js';
export { createS3LakeStorage, S3LakeStorage } from './io/lake-storage/s3/s3-lake-storage.js';
export { chooseReadPath, type LakeReadPath, loadHttpfs } from './io/lake-storage/s3/s3-read-path.js';
export type { CompactionResult } from './io/lake-table.js';
export { compactLakePartition, LakeInput, lakeTable } from './io/lake-table.js';
export type { AssetPreview, PreviewColumn, PreviewOptions } from './io/preview-asset.js';
export { previewAsset } from './io/preview-asset.js';
export type { ColumnInfo, MaskPolicy, PiiKind as ColumnPiiKind, Sensitivity } from './io/schema-columns.js';
export { SENSITIVITIES, schemaColumns } from './io/schema-columns.js';
export { type ScratchFiles, scratchFiles } from './io/scratch-files.js';
export { StoredByAssetInput, storedByAsset } from './io/stored-by-asset.js';
export type { StoredColumn, StoredTypeMismatch } from './io/stored-column-types.js';
export { storedTypeMismatches, storedTypeSatisfies } from './io/stored-column-types.js';
export {
  formatAssetPartition,
  formatCheckKey,
  parseAssetPartition,
  validateAssetKey,
} from './keys/asset-key.js';
export { createLogger, redactSecrets, redactUrl } from './logging/create-logger.js';
export {
  type CheckSample,
  EMF_NAMESPACE,
  EmfMetrics,
  emfLineOf,
  type FreshnessSource,
  type MetricSample,
  type MetricSink,
  type MetricsEndpoint,
  PrometheusMetrics,
  queueDepthLine,
  type RunSample,
  StepMetrics,
  type StepSample,
  serveMetrics,
} from './metrics/index.js';
export type {
  Partition,
  PartitionMapping,
  PartitionMappingResult,
  PartitionsBindContext,
  PartitionsDefinition,
  TimeWindowOptions,
  WeeklyOptions,
} from './partitions/index.js';
export {
  allPartitionsMapping,
  daily,
  defaultPartitionMapping,
  identityPartitionMapping,
  monthly,
  staticPartitions,
  TimeWindowPartitions,
  timeWindowPartitionMapping,
  weekly,
} from './partitions/index.js';
export {
  AsOfWindowMapping,
  asOfWindowMapping,
} from './partitions/mapping/as-of-window-mapping.js';
export { cumulativePartitionMapping } from './partitions/mapping/cumulative-partition-mapping.js';
export { offsetPartitionMapping } from './partitions/mapping/offset-partition-mapping.js';
export { AssetStateIndex } from './planner/asset-state-index.js';
export type {
  AssetStatus,
  AssetStatusReport,
  AssetStatusSummary,
  PartitionStatus,
  PartitionStatusEntry,
} from './planner/asset-status.js';
export { assessAssetStatus, loadAssetStatus, summarizeAssetStatus } from './planner/asset-status.js';
export {
  type ChangedFrom,
  type ChangeLog,
  type ChangeLogEntry,
  changedSince,
  loadChangeLogs,
  NEVER,
} from './planner/change-log.js';
export {
  type CorruptPartition,
  observeLakeIntegrity,
  recordCorruptPartition,
} from './planner/lake-integrity.js';
export { observeExternalInputs } from './planner/observe-external-inputs.js';
export type { PartitionFilter, Plan, PlanInput, PlanStep } from './planner/plan-materialization.js';
export { partitionsForFilter, planMaterialization } from './planner/plan-materialization.js';
export type { RootCause } from './planner/root-cause.js';
export { rootCauseOf } from './planner/root-cause.js';
export type { StalenessCode, StalenessReason } from './planner/staleness-reason.js';
export { describeReasons } from './planner/staleness-reason.js';
export type {
  AssetQuality,
  CheckQuality,
  QualityCounts,
  QualityReport,
  RowSample,
} from './reporting/quality-report.js';
export { buildQualityReport, checkOutcome } from './reporting/quality-report.js';
export { cancelRun } from './runtime/cancel-run.js';
export { resolveLocations, ShopflowRuntime } from './runtime/shopflow-runtime.js';
export { WakeableSleep } from './runtime/wakeable-sleep.js';
