import { type ErrorCode, isShopflowError } from '../../framework/index.js';

/**
 * The catalog codes the HTTP layer raises itself: a missing or wrong token, a refused request
 * (read-only server, cross-origin), a non-JSON body, an unknown endpoint, an unexpected fault.
 */
export type ApiErrorCode = Extract<
  ErrorCode,
  | 'SF_UNAUTHORIZED'
  | 'SF_FORBIDDEN'
  | 'SF_NOT_FOUND'
  | 'SF_UNSUPPORTED_MEDIA_TYPE'
  | 'SF_BAD_USAGE'
  | 'SF_INTERNAL'
  | 'SF_TOO_MANY_ATTEMPTS'
>;

/** The body of every error response: `{ error: { code, message, hint? } }`. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; hint?: string };
}

/**
 * An error the HTTP layer raises itself, with its status code.
 *
 * @example
 * throw new ApiError(403, 'SF_FORBIDDEN', 'the server runs with --read-only; runs cannot be launched');
 */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ApiErrorCode,
    message: string,
    /** Response headers that go with it, e.g. `retry-after`. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  SF_UNKNOWN_ASSET: 404,
  SF_UNKNOWN_RUN: 404,
  SF_NOT_MATERIALIZED: 404,
  SF_BAD_SELECTION: 400,
  SF_BAD_PARTITION: 400,
  SF_BAD_PARTITION_RANGE: 400,
  SF_PARTITIONS_MISMATCH: 400,
  SF_BAD_USAGE: 400,
  SF_INPUT_INVALID: 400,
  SF_LOCK_HELD: 409,
  SF_RUN_NOT_RETRYABLE: 409,
  SF_UNREACHABLE: 503,
};

/**
 * The status code and body for any error thrown while handling a request. Framework errors keep
 * their catalog code; Fastify's own client errors (malformed JSON, oversized body) become
 * `SF_BAD_USAGE`; anything else is a 500 whose details stay in the server log.
 *
 * @example
 * const { statusCode, body } = errorResponse(error); // 404, { error: { code: 'SF_UNKNOWN_ASSET', message } }
 */
export function errorResponse(error: unknown): { statusCode: number; body: ErrorBody } {
  if (error instanceof ApiError) {
    return { statusCode: error.statusCode, body: { error: { code: error.code, message: error.message } } };
  }
  if (isShopflowError(error)) {
    const body: ErrorBody = { error: { code: error.code, message: error.message } };
    if (error.hint) body.error.hint = error.hint;
    return { statusCode: STATUS_BY_CODE[error.code] ?? 500, body };
  }
  const fastifyError = error as { statusCode?: number; code?: string; message?: string };
  if (
    typeof fastifyError.statusCode === 'number' &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  ) {
    const code = fastifyError.statusCode === 415 ? 'SF_UNSUPPORTED_MEDIA_TYPE' : 'SF_BAD_USAGE';
    return {
      statusCode: fastifyError.statusCode,
      body: { error: { code, message: fastifyError.message ?? 'bad request' } },
    };
  }
  return {
    statusCode: 500,
    body: {
      error: { code: 'SF_INTERNAL', message: 'unexpected server error; the server log has the details' },
    },
  };
}
