import { ShopflowError } from '../../../errors/error-catalog.js';
import { redactUrl } from '../../../logging/redact-secrets.js';
import { RetriesExhaustedError } from '../retry-policy.js';

const TRANSIENT_STATUS = new Set([429, 500, 502, 503, 504]);
const TRANSIENT_NAMES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TooManyRequests',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'ServiceUnavailable',
  'TimeoutError',
]);
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'ECONNABORTED',
  'EAI_AGAIN',
]);
const DENIED_NAMES = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'AllAccessDisabled',
]);
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH']);

interface ErrorLike {
  name?: string;
  code?: string;
  message?: string;
  cause?: unknown;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

function chain(error: unknown): ErrorLike[] {
  const errors: ErrorLike[] = [];
  let current: unknown = error;
  while (current && typeof current === 'object' && errors.length < 5) {
    errors.push(current as ErrorLike);
    current = (current as ErrorLike).cause;
  }
  return errors;
}

function statusOf(error: ErrorLike): number | undefined {
  return error.$metadata?.httpStatusCode;
}

/**
 * Whether an S3 or network error is worth retrying: throttling and server errors (429, 500, 502,
 * 503, 504, SlowDown …), dropped connections (ECONNRESET, EPIPE, socket hang up) and timeouts.
 *
 * @example
 * isTransientS3Error(Object.assign(new Error('x'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } })); // true
 */
export function isTransientS3Error(error: unknown): boolean {
  return chain(error).some(
    (e) =>
      TRANSIENT_NAMES.has(e.name ?? '') ||
      TRANSIENT_CODES.has(e.code ?? '') ||
      TRANSIENT_STATUS.has(statusOf(e) ?? 0) ||
      /socket hang up/i.test(e.message ?? ''),
  );
}

/** Where an S3 failure happened, for the message. */
export interface S3ErrorContext {
  /** e.g. `PUT`, `GET`, `LIST`. */
  operation: string;
  bucket: string;
  /** Full object key inside the bucket (with the store prefix), when there is one. */
  key?: string;
  endpoint?: string;
  /** Values to scrub from any text copied from the error (credentials). */
  secrets: string[];
  /** The config section that names the bucket, for hints (default: `the object store config`). */
  configSection?: string;
}

function redact(text: string, secrets: string[]): string {
  return redactUrl(
    secrets.filter((s) => s.length >= 4).reduce((out, secret) => out.split(secret).join('***'), text),
  );
}

/** The variables the AWS SDK takes an S3 endpoint from when the config names none, in its order. */
const ENDPOINT_VARIABLES = ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL'] as const;

/**
 * The endpoint the client used and where it came from: the config's, else the environment
 * variable the SDK read, else AWS's own; its password, if any, redacted.
 */
function endpointOf(configured: string | undefined): { shown: string; fix: string } {
  if (configured) return { shown: redactUrl(configured), fix: '`endpoint`' };
  const variable = ENDPOINT_VARIABLES.find((name) => process.env[name]);
  if (variable) {
    return {
      shown: `${redactUrl(process.env[variable]!)} (from ${variable})`,
      fix: `${variable} (it sets the endpoint)`,
    };
  }
  return { shown: 'the AWS endpoint', fix: '`endpoint`' };
}

function describe(error: ErrorLike, secrets: string[]): string {
  const status = statusOf(error);
  const name = error.code && error.name === 'Error' ? error.code : (error.name ?? 'Error');
  const text = `${name}${status ? ` (HTTP ${status})` : ''}: ${error.message ?? ''}`;
  return redact(text, secrets).trim();
}

function iamAction(operation: string): string {
  switch (operation) {
    case 'PUT':
    case 'COPY':
      return 's3:PutObject';
    case 'DELETE':
      return 's3:DeleteObject';
    case 'LIST':
      return 's3:ListBucket';
    case 'LIST VERSIONS':
      return 's3:ListBucketVersions';
    case 'GET VERSIONING':
      return 's3:GetBucketVersioning';
    default:
      return 's3:GetObject (and s3:ListBucket, without which a missing key answers 403)';
  }
}

/**
 * Turns an S3 SDK or network error into a `ShopflowError` naming the bucket, key and fix. The
 * original error is not kept as `cause` (SDK errors carry request details); a scrubbed summary of
 * it is, and every configured secret is redacted from the text.
 *
 * @example
 * catch (e) { throw toS3StoreError(e, { operation: 'PUT', bucket: 'landing', key: 'raw/a.csv', secrets: [] }); }
 */
export function toS3StoreError(error: unknown, context: S3ErrorContext): ShopflowError {
  if (error instanceof ShopflowError) return error;
  const attempts = error instanceof RetriesExhaustedError ? error.attempts : 1;
  const root = (error instanceof RetriesExhaustedError ? error.cause : error) as ErrorLike;
  const all = chain(root);
  const summary = describe(root, context.secrets);
  const cause = new Error(summary);
  const location =
    context.key === undefined ? `s3://${context.bucket}` : `s3://${context.bucket}/${context.key}`;
  const what = `${context.operation} ${location}`;
  const section = context.configSection ?? 'the object store config';
  const endpoint = endpointOf(context.endpoint);
  const details = { bucket: context.bucket, key: context.key, operation: context.operation, attempts };
  const abortFailure = (root as { abortFailure?: string }).abortFailure;
  const abortHint = abortFailure
    ? `; the multipart upload could not be aborted (${redact(abortFailure, context.secrets)}), so its parts may linger invisibly — a lifecycle rule for incomplete uploads removes them`
    : '';

  if (attempts > 1) {
    return new ShopflowError('SF_IO', `${what} failed after ${attempts} attempts; last error: ${summary}`, {
      cause,
      details,
      hint: `S3 kept failing transiently; try again later or raise \`retry.maxAttempts\`${abortHint}`,
    });
  }
  if (all.some((e) => e.name === 'NoSuchBucket')) {
    return new ShopflowError('SF_IO', `S3 bucket \`${context.bucket}\` does not exist (${what})`, {
      cause,
      details,
      hint: `create the bucket, or fix \`bucket\` in ${section}${endpoint.shown === 'the AWS endpoint' ? '' : ` (endpoint ${endpoint.shown})`}`,
    });
  }
  if (all.some((e) => DENIED_NAMES.has(e.name ?? '') || statusOf(e) === 403)) {
    return new ShopflowError('SF_IO', `access denied: ${what} answered ${summary}`, {
      cause,
      details,
      hint: `check the credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or the instance role) and that they allow ${iamAction(context.operation)} on arn:aws:s3:::${context.bucket}${context.key === undefined ? '' : '/*'}${abortHint}`,
    });
  }
  if (all.some((e) => e.name === 'CredentialsProviderError')) {
    return new ShopflowError('SF_CONFIG_INVALID', `no AWS credentials found for ${location}`, {
      cause,
      details,
      hint: 'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run with an instance/task role',
    });
  }
  if (all.some((e) => UNREACHABLE_CODES.has(e.code ?? ''))) {
    return new ShopflowError('SF_UNREACHABLE', `cannot reach S3 at ${endpoint.shown} (${what}): ${summary}`, {
      cause,
      details,
      hint: `check ${endpoint.fix} and \`region\` in ${section} and that the server is running`,
    });
  }
  return new ShopflowError('SF_IO', `${what} failed: ${summary}`, {
    cause,
    details,
    hint: abortHint ? abortHint.slice(2) : undefined,
  });
}
