/**
 * Every error ShopFlow raises on purpose has a stable code from this catalog. Codes never change
 * meaning; tests pin them. The exit code tells the CLI how to finish: 2 for bad usage or
 * configuration, 1 for a failed step or blocking check.
 */
export const ERROR_CATALOG = {
  SF_DUPLICATE_ASSET: { exitCode: 2, summary: 'two assets share one key' },
  SF_UNKNOWN_DEP: { exitCode: 2, summary: 'an asset depends on an asset that is not defined' },
  SF_CYCLE: { exitCode: 2, summary: 'the asset graph has a cycle' },
  SF_INVALID_ASSET: { exitCode: 2, summary: 'an asset definition is invalid' },
  SF_UNKNOWN_ASSET: { exitCode: 2, summary: 'no asset has this key' },
  SF_BAD_SELECTION: { exitCode: 2, summary: 'a selection expression cannot be parsed' },
  SF_BAD_PARTITION: { exitCode: 2, summary: 'a partition key is not valid for the asset' },
  SF_BAD_PARTITION_RANGE: { exitCode: 2, summary: 'a partition range is empty or reversed' },
  SF_PARTITIONS_MISMATCH: {
    exitCode: 2,
    summary: 'a partition mapping cannot connect two partition definitions',
  },
  SF_CONFIG_NOT_FOUND: { exitCode: 2, summary: 'the configuration file does not exist' },
  SF_CONFIG_INVALID: { exitCode: 2, summary: 'a configuration field is invalid' },
  SF_CONFIG_MISSING_ENV: {
    exitCode: 2,
    summary: 'a configuration file names an environment variable that is not set',
  },
  SF_DEFINITIONS_NOT_FOUND: { exitCode: 2, summary: 'the definitions module cannot be loaded' },
  SF_BAD_USAGE: { exitCode: 2, summary: 'a command was called with invalid arguments' },
  SF_UNKNOWN_RUN: { exitCode: 2, summary: 'no run has this id' },
  SF_RUN_NOT_RETRYABLE: { exitCode: 2, summary: 'the run cannot be retried' },
  SF_RUN_NOT_CANCELABLE: { exitCode: 2, summary: 'the run has finished and cannot be canceled' },
  SF_NOT_MATERIALIZED: { exitCode: 2, summary: 'the asset has no materialization to read' },
  SF_UNMASK_NOT_ALLOWED: {
    exitCode: 2,
    summary: 'clear values of personal data were asked for where the environment does not allow them',
  },
  SF_LOCK_HELD: { exitCode: 1, summary: 'another run holds the lock of an asset partition' },
  SF_USER_CODE: { exitCode: 1, summary: "an asset's own code raised an error" },
  SF_CHECK_FAILED: { exitCode: 1, summary: 'a blocking check failed' },
  SF_IO: { exitCode: 1, summary: 'reading or writing an IO target failed' },
  SF_UNREACHABLE: { exitCode: 2, summary: 'a server cannot be reached' },
  SF_PERMISSION_DENIED: {
    exitCode: 2,
    summary: 'an AWS request was refused: the role or credentials lack a permission',
  },
  SF_RUN_FAILED: { exitCode: 1, summary: 'a run finished with failed steps' },
  SF_INPUT_INVALID: { exitCode: 2, summary: 'an input file or value is malformed' },
  SF_OBJECT_NOT_FOUND: { exitCode: 1, summary: 'an object store key or version does not exist' },
  SF_LAKE_CONFLICT: { exitCode: 1, summary: 'another writer committed the lake partition first' },
  SF_LAKE_CORRUPT: {
    exitCode: 1,
    summary: 'a lake file is missing or differs from what was written (size or checksum)',
  },
  SF_INSTANCE_STORE: { exitCode: 2, summary: 'the instance store cannot be opened or migrated' },
  SF_INSTANCE_STORE_BUSY: {
    exitCode: 1,
    summary: "another process held the instance store's write lock longer than the busy timeout",
  },
  SF_DISK_FULL: { exitCode: 1, summary: 'a disk (home, lake, landing zone or instance store) is full' },
  SF_INVALID_SCHEDULE: { exitCode: 2, summary: 'a schedule or sensor definition is invalid' },
  SF_DAEMON_LEASE_HELD: { exitCode: 1, summary: 'another daemon is running on this instance' },
  SF_UNKNOWN_BACKFILL: { exitCode: 2, summary: 'no backfill has this id' },
  SF_BACKFILL_RUNNING: { exitCode: 1, summary: 'another live process is running this backfill' },
  SF_BACKFILL_NOT_CANCELABLE: { exitCode: 2, summary: 'the backfill has finished and cannot be canceled' },
  SF_UNKNOWN_SCHEDULE: { exitCode: 2, summary: 'no schedule has this name' },
  SF_UNAUTHORIZED: { exitCode: 2, summary: 'the web API needs a valid bearer token' },
  SF_FORBIDDEN: {
    exitCode: 2,
    summary: 'the web API refused the request (host not allowed, other origin, read-only server)',
  },
  SF_NOT_FOUND: { exitCode: 2, summary: 'the web API has no such endpoint' },
  SF_UNSUPPORTED_MEDIA_TYPE: { exitCode: 2, summary: 'the web API accepts JSON request bodies only' },
  SF_INTERNAL: { exitCode: 1, summary: 'an unexpected fault in the web server (details in its log)' },
  SF_STREAM: { exitCode: 1, summary: 'the event stream (Kinesis) cannot be reached or refused a request' },
  SF_STREAM_CONSUMER_RUNNING: { exitCode: 1, summary: 'another consumer is already reading this stream' },
  SF_STEP_LEASE_LOST: {
    exitCode: 1,
    summary: "a worker's lease on a step was taken over by another worker; its result is discarded",
  },
  SF_TOO_MANY_ATTEMPTS: {
    exitCode: 2,
    summary: 'the web API refuses a client address for a while after repeated wrong tokens',
  },
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOG;

/**
 * An error with a stable code, a message that quotes the offending input and, where one exists, a
 * hint that tells the user how to fix it.
 *
 * @example
 * throw new ShopflowError('SF_UNKNOWN_ASSET', 'unknown asset `sliver_customers`', {
 *   hint: 'did you mean `silver_customers`?',
 * });
 */
export class ShopflowError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly details?: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { hint?: string; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(options.hint ? `${message}; ${options.hint}` : message, { cause: options.cause });
    this.name = 'ShopflowError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }

  /** The CLI exit code for this error (see {@link ERROR_CATALOG}). */
  get exitCode(): number {
    return ERROR_CATALOG[this.code].exitCode;
  }
}

/** Whether `error` is a {@link ShopflowError}, optionally with a given code. */
export function isShopflowError(error: unknown, code?: ErrorCode): error is ShopflowError {
  return error instanceof ShopflowError && (code === undefined || error.code === code);
}
