import { z } from 'zod';
import { EcsRunLauncherConfigSchema } from '../executor/ecs/ecs-run-launcher-config.js';
import { LocalLakeConfigSchema } from '../io/lake-storage/local/local-lake-config.js';
import { S3LakeConfigSchema } from '../io/lake-storage/s3/s3-lake-config.js';
import { LOG_LEVELS } from '../logging/log-level.js';
import {
  booleanField as boolean,
  intFrom as int,
  numberFrom as number,
  positiveNumber as positive,
  textField as text,
} from './config-fields.js';

const SqliteInstanceSchema = z.strictObject({
  type: z.literal('sqlite'),
  /** SQLite database file; `<home>/instance.db` when absent. */
  path: text().optional(),
});

const PostgresInstanceSchema = z.strictObject({
  type: z.literal('postgres'),
  /** Connection string, e.g. `postgres://user:password@host:5432/db`. */
  url: text(),
  /** PostgreSQL schema holding the instance tables (the server default when absent). */
  schema: text().optional(),
});

const RetrySchema = z.strictObject({
  maxRetries: int(0).default(0),
  delayMs: number(0).default(1000),
  backoff: number(1).default(2),
  maxDelayMs: number(0).default(60_000),
});

const ExecutorSchema = z
  .strictObject({
    /** `in-process` runs steps in the process that plans the run; `queue` hands them to `shopflow worker`s. */
    type: z.enum(['in-process', 'queue']).default('in-process'),
    /** Queue the steps of a queued run go to (`shopflow worker --queue`). */
    queue: text().default('steps'),
    /**
     * Named queues: the steps of the assets a queue selects (selection syntax, e.g. `group:warehouse`)
     * go to it instead of `queue`; `limit` caps how many of its steps run at once across all workers.
     */
    queues: z
      .record(
        z.string().regex(/^[a-z][a-z0-9_-]*$/),
        z.strictObject({ select: text(), limit: int(1).optional() }),
      )
      .default({}),
    /** A queued step whose worker has not renewed its lease for this long is handed to another worker. */
    leaseSeconds: positive().default(30),
    /** Steps of every run running at once on the default queue, across all workers (none when absent). */
    limit: int(1).optional(),
    /**
     * Where runs launched by the daemon and the web page execute: in the launching process (absent)
     * or each in its own ECS task (`type: ecs`).
     */
    runLauncher: EcsRunLauncherConfigSchema.optional(),
    concurrency: int(1).default(4),
    /**
     * Threads of the process's DuckDB database; by default the machine's cores shared among the
     * steps that run at once (`concurrency`, or `--concurrency`), at least 1.
     */
    duckdbThreads: int(1).optional(),
    retry: RetrySchema.prefault({}),
    heartbeatSeconds: positive().default(5),
    deadAfterSeconds: positive().default(60),
    lockWaitSeconds: number(0).default(30),
  })
  .check((ctx) => {
    const { deadAfterSeconds, heartbeatSeconds } = ctx.value;
    if (
      typeof deadAfterSeconds === 'number' &&
      typeof heartbeatSeconds === 'number' &&
      deadAfterSeconds <= heartbeatSeconds
    ) {
      ctx.issues.push({
        code: 'custom',
        path: ['deadAfterSeconds'],
        input: deadAfterSeconds,
        message: `expected a number greater than \`executor.heartbeatSeconds\` (${heartbeatSeconds}), or live runs would be declared dead`,
      });
    }
  });

const LoggingSchema = z.strictObject({
  level: z.enum(LOG_LEVELS).default('info'),
  /** A file that also receives every log line as JSON. */
  file: text().optional(),
  /** Human-readable lines instead of JSON; defaults to whether stderr is a terminal. */
  pretty: boolean().optional(),
});

const ServerSchema = z.strictObject({
  /**
   * Host names `shopflow serve` answers to besides loopback and its `--host`, e.g. the name of a
   * reverse proxy (`shopflow.internal`); `--allowed-host` adds more.
   */
  allowedHosts: z.array(text()).default([]),
});

const MetricsSchema = z.strictObject({
  /**
   * Also write each run's, step's and check's metrics as CloudWatch embedded-metric lines to stderr
   * (in ECS, CloudWatch Logs turns them into the metrics the dashboard and alarms use).
   */
  emf: boolean().default(false),
  /** How many of an asset's previous durations its trailing median (the duration ratio) uses. */
  baselineRuns: int(3).default(20),
  /** With `emf`: how often each `shopflow worker` writes its queue's depth (`QueuedSteps`). */
  queueDepthSeconds: positive().default(60),
});

const OpenLineageSchema = z
  .strictObject({
    /** Namespace of ShopFlow's jobs and datasets in the lineage backend. */
    namespace: text().default('shopflow'),
    /** A JSON-lines file each event is appended to; relative to the home. */
    file: text().optional(),
    /** An OpenLineage HTTP endpoint each event is POSTed to, e.g. `http://marquez:5000/api/v1/lineage`. */
    url: z.url({ protocol: /^https?$/ }).optional(),
    /** The environment variable holding the endpoint's API key (sent as a bearer token), if it needs one. */
    apiKeyEnv: text().default('OPENLINEAGE_API_KEY'),
    /** How long a POST may take before the event is given up (logged; the run goes on). */
    timeoutMs: int(1).default(5000),
  })
  .optional();

const DataSchema = z.strictObject({
  /** Folder of the source extracts; `<home>/raw` when absent, so two homes never share a file. */
  rawDir: text().optional(),
  /** Folder of `validation.log` and other run logs; `<home>/logs` when absent. */
  logsDir: text().optional(),
});

/**
 * The schema of a ShopFlow configuration file (`config/<env>.yaml`). Every object is strict:
 * an unknown key is an error. Each entry of `resources` is validated by its resource with
 * {@link validateSection}.
 *
 * @example
 * const config = ShopflowConfigSchema.parse({ env: 'dev' });
 * config.executor.concurrency; // 4
 */
export const ShopflowConfigSchema = z.strictObject({
  /** Environment name; taken from the file name (`prod.yaml` → `prod`) when absent. */
  env: text(),
  /** Folder of the instance database and the local lake; `SHOPFLOW_HOME` / `--home` override it. */
  home: text().default('.shopflow'),
  /** Module exporting the definitions to load; the ShopFlow pipeline when absent. */
  definitions: text().optional(),
  instance: z
    .discriminatedUnion('type', [SqliteInstanceSchema, PostgresInstanceSchema])
    .prefault({ type: 'sqlite' }),
  lake: z.discriminatedUnion('type', [LocalLakeConfigSchema, S3LakeConfigSchema]).prefault({ type: 'local' }),
  executor: ExecutorSchema.prefault({}),
  logging: LoggingSchema.prefault({}),
  server: ServerSchema.prefault({}),
  data: DataSchema.prefault({}),
  metrics: MetricsSchema.prefault({}),
  /** OpenLineage run events of every run and step (none when absent). */
  openlineage: OpenLineageSchema,
  resources: z.record(z.string(), z.unknown()).default({}),
});

/** A validated ShopFlow configuration. */
export type ShopflowConfig = z.output<typeof ShopflowConfigSchema>;
/** Where the instance store lives. */
export type InstanceConfig = ShopflowConfig['instance'];
/** Where the lake lives. */
export type LakeConfig = ShopflowConfig['lake'];
/** How the executor runs, retries and detects dead runs. */
export type ExecutorConfig = ShopflowConfig['executor'];
/** What `shopflow serve` answers to. */
export type ServerConfig = ShopflowConfig['server'];
/** Log level and destinations. */
export type LoggingConfig = ShopflowConfig['logging'];
/** Run and step metrics (Prometheus, CloudWatch embedded-metric lines). */
export type MetricsConfig = ShopflowConfig['metrics'];
