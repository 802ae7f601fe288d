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

/** Where a transport sends its requests, for messages and hints. */
export interface KinesisTarget {
  /** `local`: the server `shopflow` starts itself; `aws`: a stream that must exist (default). */
  mode?: 'local' | 'aws';
  region?: string;
  /** The endpoint override (config or `AWS_ENDPOINT_URL_KINESIS`), without credentials. */
  endpoint?: string;
}

/**
 * The endpoint override in effect for Kinesis — `endpoint` (from the config), else
 * `AWS_ENDPOINT_URL_KINESIS` or `AWS_ENDPOINT_URL`, which the AWS SDK reads itself — with any user
 * name or password in the URL removed; undefined when AWS's own endpoint is used.
 */
export function kinesisEndpointOverride(
  endpoint: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const url = endpoint ?? (env.AWS_ENDPOINT_URL_KINESIS || undefined) ?? (env.AWS_ENDPOINT_URL || undefined);
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(an endpoint URL that cannot be parsed)';
  }
}

function where(target: KinesisTarget): string {
  const region = target.region ?? 'us-east-1';
  return target.endpoint ? `endpoint ${target.endpoint}, region ${region}` : `region ${region}`;
}

/**
 * Turns an error of the Kinesis client into a {@link StreamTransportError} that names the operation
 * and the stream, and — for a stream that does not exist or an endpoint that does not answer — where
 * the request went and how to fix it. A stream that is being resharded (`ResourceInUseException`)
 * counts as throttled: it accepts the request again a moment later.
 */
export function kinesisError(
  operation: string,
  stream: string,
  error: unknown,
  target: KinesisTarget = {},
): StreamTransportError {
  const name = (error as { name?: string })?.name ?? '';
  const code = (error as { code?: string })?.code ?? '';
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  const message = error instanceof Error ? error.message : String(error);
  let reason: StreamFailureReason = REASONS[name] ?? 'rejected';
  if (NETWORK_CODES.has(code) || name === 'TimeoutError' || (status !== undefined && status >= 500)) {
    reason = 'unreachable';
  }
  const local = target.mode === 'local';
  let hint: string | undefined;
  if (reason === 'not-found') {
    hint = local
      ? `the local server lost the stream \`${stream}\`: run the command again, it creates the stream`
      : `stream \`${stream}\` does not exist (${where(target)}): create it (deploy infra/, or \`aws kinesis create-stream --stream-name ${stream}\`) or set resources.stream.name, region and endpoint to an existing one`;
  } else if (reason === 'unreachable') {
    hint = local
      ? `the local Kinesis server${target.endpoint ? ` at ${target.endpoint}` : ''} does not answer: \`shopflow stream stop\`, then run the command again (it starts a new server)`
      : `the Kinesis endpoint does not answer (${where(target)}): check the network, resources.stream.region and endpoint, and AWS_ENDPOINT_URL_KINESIS`;
  }
  return new StreamTransportError(reason, `Kinesis ${operation} on stream \`${stream}\` failed: ${message}`, {
    hint,
    cause: error,
  });
}
