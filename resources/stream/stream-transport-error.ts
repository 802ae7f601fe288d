import { ShopflowError } from '../../framework/index.js';

/**
 * Why a stream request failed: `throttled` (the shard's or account's throughput limit; back off
 * and retry), `iterator-expired` (get a new iterator from the last position read), `not-found`
 * (no such stream or shard), `unreachable` (network or server down; retry later), `rejected`
 * (the request itself is invalid; retrying does not help).
 */
export type StreamFailureReason = 'throttled' | 'iterator-expired' | 'not-found' | 'unreachable' | 'rejected';

/** A failed stream request (code `SF_STREAM`), with a {@link StreamFailureReason}. */
export class StreamTransportError extends ShopflowError {
  constructor(
    readonly reason: StreamFailureReason,
    message: string,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super('SF_STREAM', message, { ...options, details: { reason } });
    this.name = 'StreamTransportError';
  }

  /** Whether waiting and retrying the same request can succeed. */
  get transient(): boolean {
    return this.reason === 'throttled' || this.reason === 'unreachable';
  }
}

/** Whether `error` is a {@link StreamTransportError}, optionally for `reason`. */
export function isStreamFailure(error: unknown, reason?: StreamFailureReason): error is StreamTransportError {
  return error instanceof StreamTransportError && (reason === undefined || error.reason === reason);
}
