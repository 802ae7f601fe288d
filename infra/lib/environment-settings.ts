/** The environments the app can synthesize, chosen with `-c env=NAME`. */
export const ENVIRONMENT_NAMES = ['dev', 'staging', 'prod'] as const;

/** One of {@link ENVIRONMENT_NAMES}. */
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

/** What happens to a stateful resource when its stack is deleted or the resource replaced. */
export type Retention = 'destroy' | 'retain';

/** Size and retention of the RDS PostgreSQL warehouse (also the instance store). */
export interface DatabaseSettings {
  /** EC2-style instance class without the `db.` prefix, e.g. `t4g.micro`. */
  instanceType: string;
  allocatedStorageGiB: number;
  /** Storage autoscaling ceiling. */
  maxAllocatedStorageGiB: number;
  backupRetentionDays: number;
  multiAz: boolean;
  deletionProtection: boolean;
  /** `snapshot` keeps a final snapshot when the instance is deleted. */
  removal: 'destroy' | 'snapshot';
  performanceInsights: boolean;
  /** The free-storage alarm fires below this. */
  freeStorageAlarmGiB: number;
}

/** CPU units (1024 = 1 vCPU) and memory of one Fargate task. */
export interface TaskSize {
  cpu: number;
  memoryMiB: number;
  /** Ephemeral storage for DuckDB spill files and the local working folder. */
  ephemeralStorageGiB: number;
}

/** The clickstream's Kinesis stream. */
export interface StreamSettings {
  /** Provisioned shards; one takes 1,000 records/s (1,000 events/s needs two for headroom). */
  shards: number;
  /** Hours records are kept: how far a restarted consumer can re-read (24 to 8,760). */
  retentionHours: number;
  /** The iterator-age alarm fires when the consumer is this far behind for 15 minutes. */
  iteratorAgeAlarmMinutes: number;
}

/** Thresholds of the alarms on the pipeline's own metrics (the EMF lines of `metrics.emf`). */
export interface RunAlarmSettings {
  /** `StepDurationDegraded` fires when a step takes this many times its asset's trailing median. */
  durationRatio: number;
  /** `QuarantineShareHigh` fires when a step quarantines more than this share of the rows it read. */
  quarantineShare: number;
}

/** The service of `shopflow worker` tasks that take the steps of queued runs. */
export interface WorkerSettings {
  /** Tasks always running (at least 1: the workers publish the queue depth the service scales on). */
  min: number;
  max: number;
  task: TaskSize;
}

/** Everything that differs between `dev`, `staging` and `prod`. */
export interface EnvironmentSettings {
  name: EnvironmentName;
  /** Buckets, log groups and secrets: deleted with the stack (dev) or kept. */
  retention: Retention;
  /** `s3` = SSE-S3; `kms` = SSE-KMS with a customer-managed, rotated key and S3 bucket keys. */
  bucketEncryption: 's3' | 'kms';
  /** Days a replaced or deleted object version is kept before it expires. */
  noncurrentVersionDays: number;
  /** NAT gateways; 0 keeps the tasks in isolated subnets (VPC endpoints only, no internet). */
  natGateways: number;
  database: DatabaseSettings;
  /** The daemon runs the definitions' schedules (the nightly pipeline) in its own process. */
  daemonTask: TaskSize;
  /** The scheduled reconciliation run, backfills and one-off commands. */
  materializeTask: TaskSize;
  /** Run the scheduled `materialize` task on Fargate Spot. */
  materializeOnSpot: boolean;
  /** Days the container and database logs are kept. */
  logRetentionDays: number;
  /** CloudWatch Container Insights on the ECS cluster (task-level CPU and memory). */
  containerInsights: boolean;
  /** Monthly AWS Budgets limit in USD; 0 creates no budget. */
  monthlyBudgetUsd: number;
  stream: StreamSettings;
  runAlarms: RunAlarmSettings;
  workers: WorkerSettings;
}

/**
 * The built-in settings of each environment. `dev` is small and disposable, `staging` mirrors
 * `prod`'s shape at a smaller size, `prod` is multi-AZ, protected and retained.
 *
 * @example
 * ENVIRONMENT_SETTINGS.prod.database.multiAz; // true
 */
export const ENVIRONMENT_SETTINGS: Readonly<Record<EnvironmentName, EnvironmentSettings>> = {
  dev: {
    name: 'dev',
    retention: 'destroy',
    bucketEncryption: 's3',
    noncurrentVersionDays: 7,
    natGateways: 0,
    database: {
      instanceType: 't4g.micro',
      allocatedStorageGiB: 20,
      maxAllocatedStorageGiB: 50,
      backupRetentionDays: 1,
      multiAz: false,
      deletionProtection: false,
      removal: 'destroy',
      performanceInsights: false,
      freeStorageAlarmGiB: 4,
    },
    daemonTask: { cpu: 1024, memoryMiB: 2048, ephemeralStorageGiB: 21 },
    materializeTask: { cpu: 1024, memoryMiB: 2048, ephemeralStorageGiB: 21 },
    materializeOnSpot: true,
    logRetentionDays: 7,
    containerInsights: false,
    monthlyBudgetUsd: 100,
    stream: { shards: 1, retentionHours: 24, iteratorAgeAlarmMinutes: 15 },
    runAlarms: { durationRatio: 5, quarantineShare: 0.1 },
    workers: { min: 1, max: 2, task: { cpu: 1024, memoryMiB: 2048, ephemeralStorageGiB: 21 } },
  },
  staging: {
    name: 'staging',
    retention: 'retain',
    bucketEncryption: 'kms',
    noncurrentVersionDays: 30,
    natGateways: 1,
    database: {
      instanceType: 't4g.small',
      allocatedStorageGiB: 20,
      maxAllocatedStorageGiB: 100,
      backupRetentionDays: 7,
      multiAz: false,
      deletionProtection: false,
      removal: 'snapshot',
      performanceInsights: true,
      freeStorageAlarmGiB: 4,
    },
    daemonTask: { cpu: 1024, memoryMiB: 4096, ephemeralStorageGiB: 30 },
    materializeTask: { cpu: 2048, memoryMiB: 4096, ephemeralStorageGiB: 30 },
    materializeOnSpot: true,
    logRetentionDays: 30,
    containerInsights: true,
    monthlyBudgetUsd: 250,
    stream: { shards: 2, retentionHours: 24, iteratorAgeAlarmMinutes: 10 },
    runAlarms: { durationRatio: 3, quarantineShare: 0.05 },
    workers: { min: 1, max: 4, task: { cpu: 2048, memoryMiB: 4096, ephemeralStorageGiB: 30 } },
  },
  prod: {
    name: 'prod',
    retention: 'retain',
    bucketEncryption: 'kms',
    noncurrentVersionDays: 90,
    natGateways: 2,
    database: {
      instanceType: 'm7g.large',
      allocatedStorageGiB: 100,
      maxAllocatedStorageGiB: 500,
      backupRetentionDays: 30,
      multiAz: true,
      deletionProtection: true,
      removal: 'snapshot',
      performanceInsights: true,
      freeStorageAlarmGiB: 20,
    },
    daemonTask: { cpu: 2048, memoryMiB: 8192, ephemeralStorageGiB: 50 },
    materializeTask: { cpu: 4096, memoryMiB: 16384, ephemeralStorageGiB: 100 },
    materializeOnSpot: false,
    logRetentionDays: 365,
    containerInsights: true,
    monthlyBudgetUsd: 1500,
    stream: { shards: 2, retentionHours: 168, iteratorAgeAlarmMinutes: 5 },
    runAlarms: { durationRatio: 3, quarantineShare: 0.02 },
    workers: { min: 2, max: 8, task: { cpu: 2048, memoryMiB: 4096, ephemeralStorageGiB: 50 } },
  },
};

/**
 * Whether `value` names an environment.
 *
 * @example
 * isEnvironmentName('prod'); // true
 */
export function isEnvironmentName(value: unknown): value is EnvironmentName {
  return typeof value === 'string' && (ENVIRONMENT_NAMES as readonly string[]).includes(value);
}
