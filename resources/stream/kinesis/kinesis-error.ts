import { type StreamFailureReason, StreamTransportError } from '../stream-transport-error.js';

const REASONS: Record<string, StreamFailureReason> = {
  ProvisionedThroughputExceededException: 'throttled',
  LimitExceededException: 'throttled',
  KMSThrottlingException: 'throttled',
  ExpiredIteratorException: 'iterator-expired',
  ResourceNotFoundException: 'not-found',
  InternalFailureException: 'unreachable',
  ServiceUnavailable: 'unreachable',
  ServiceUnavailableException: 'unreachable',
  ResourceInUseException: 'throttled',
};

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Turns an error of the Kinesis client into a {@link StreamTransportError} that names the operation
 * and the stream. A stream that is being resharded (`ResourceInUseException`) counts as throttled:
 * it accepts the request again a moment later.
 */
export function kinesisError(operation: string, stream: string, error: unknown): StreamTransportError {
  const name = (error as { name?: string })?.name ?? '';
  const code = (error as { code?: string })?.code ?? '';
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  const message = error instanceof Error ? error.message : String(error);
  let reason: StreamFailureReason = REASONS[name] ?? 'rejected';
  if (NETWORK_CODES.has(code) || name === 'TimeoutError' || (status !== undefined && status >= 500)) {
    reason = 'unreachable';
  }
  const hint =
    reason === 'not-found'
      ? `create the stream \`${stream}\` (locally: \`shopflow stream consume\` or \`produce\` creates it; on AWS: deploy infra/)`
      : reason === 'unreachable'
        ? 'check that the Kinesis endpoint is reachable (locally: `shopflow stream status`)'
        : undefined;
  return new StreamTransportError(reason, `Kinesis ${operation} on stream \`${stream}\` failed: ${message}`, {
    hint,
    cause: error,
  });
}
