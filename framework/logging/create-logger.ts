import type { DestinationStream, Logger } from 'pino';
import { lazyModule } from '../modules/lazy-module.js';
import type { LogLevel } from './log-level.js';
import { createSecretRedactor, REDACTED } from './redact-secrets.js';

export { redactSecrets, redactUrl } from './redact-secrets.js';

// NOTE: pino is loaded when the first logger is made, pino-pretty only when lines are to be pretty
// (a terminal): commands that log nothing (help) load neither.
const loadPino = lazyModule<typeof import('pino')>('pino');
const loadPinoPretty = lazyModule<typeof import('pino-pretty')>('pino-pretty');

/** Field names whose values are always replaced with `[REDACTED]`, at the top level or one level down. */
const SECRET_KEYS = [
  'password',
  'token',
  'secret',
  'authorization',
  'connectionString',
  'apiKey',
  'secretAccessKey',
  'sessionToken',
];

const REDACT_PATHS = [
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`]),
  'req.headers.authorization',
  'req.headers.cookie',
];

export interface CreateLoggerOptions {
  level: LogLevel;
  /** Human-readable lines instead of JSON lines; defaults to whether the destination is a terminal. */
  pretty?: boolean;
  /** A file that also receives every line as JSON (appended, folders created). */
  file?: string;
  /** Exact strings that must never be written (from the loaded configuration's `secrets`). */
  secrets?: readonly string[];
  /** Where lines go instead of stderr (tests capture output this way). */
  destination?: NodeJS.WritableStream;
}

/**
 * Creates the process logger. Lines go to stderr (stdout is reserved for command output), pretty on a
 * terminal and JSON lines otherwise, and optionally also to a JSON-lines file. Every write is
 * synchronous, so short CLI commands lose nothing on exit.
 *
 * Secrets never reach a destination: fields named like `password`, `token`, `secret`,
 * `authorization` or `connectionString` are censored, and each serialized line is then scanned for
 * the known secret strings and for passwords inside URLs, all replaced with `[REDACTED]`.
 *
 * @example
 * const logger = createLogger({ level: config.logging.level, file: config.logging.file, secrets: config.secrets });
 * logger.info({ asset: 'silver_customers' }, 'materialized');
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  const pino = loadPino();
  const redact = createSecretRedactor(options.secrets ?? []);
  const output = options.destination ?? pino.destination({ fd: 2, sync: true });
  const isTerminal = ((options.destination ?? process.stderr) as { isTTY?: boolean }).isTTY === true;
  const pretty = options.pretty ?? isTerminal;
  const prettify = pretty
    ? (loadPinoPretty().prettyFactory({
        colorize: isTerminal,
        ignore: 'pid,hostname',
        translateTime: 'SYS:HH:MM:ss.l',
      }) as (line: string) => string)
    : undefined;
  const file = options.file
    ? pino.destination({ dest: options.file, append: true, mkdir: true, sync: true })
    : undefined;

  // NOTE: one destination fans each already-redacted line out, so the console can be pretty while the
  // file keeps JSON, without pino-pretty's worker transport (asynchronous, loses lines on exit).
  const destination: DestinationStream = {
    write(line: string) {
      output.write(prettify ? prettify(line) : line);
      file?.write(line);
    },
  };

  return pino(
    {
      level: options.level,
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
      hooks: { streamWrite: redact },
    },
    destination,
  );
}
