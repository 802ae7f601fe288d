import { describe, expect, it } from 'vitest';
import { isShopflowError } from '../../../framework/errors/error-catalog.js';
import { RetriesExhaustedError } from '../../../framework/io/blob/retry-policy.js';
import { isTransientS3Error, toS3StoreError } from '../../../framework/io/blob/s3/s3-error.js';

// NOTE: plain objects shaped like the SDK's errors; the real ones are produced against s3rver in
// tests/integration/object-store.
function sdkError(name: string, status?: number, message = name): Error {
  return Object.assign(new Error(message), {
    name,
    ...(status ? { $metadata: { httpStatusCode: status } } : {}),
  });
}
function networkError(code: string, message = code): Error {
  return Object.assign(new Error(message), { code });
}

const context = { operation: 'PUT', bucket: 'landing', key: 'raw/a.csv', secrets: ['AKIASECRETVALUE'] };

describe('isTransientS3Error', () => {
  it.each([
    ['SlowDown 503', sdkError('SlowDown', 503)],
    ['ServiceUnavailable', sdkError('ServiceUnavailable', 503)],
    ['throttling 429', sdkError('TooManyRequestsException', 429)],
    ['InternalError 500', sdkError('InternalError', 500)],
    ['bad gateway 502', sdkError('Unknown', 502)],
    ['gateway timeout 504', sdkError('Unknown', 504)],
    ['ECONNRESET', networkError('ECONNRESET')],
    ['EPIPE', networkError('EPIPE')],
    ['socket hang up', new Error('socket hang up')],
    ['SDK TimeoutError', sdkError('TimeoutError')],
    ['wrapped cause', Object.assign(new Error('outer'), { cause: networkError('ECONNRESET') })],
  ])('retries %s', (_label, error) => {
    expect(isTransientS3Error(error)).toBe(true);
  });

  it.each([
    ['AccessDenied 403', sdkError('AccessDenied', 403)],
    ['NoSuchBucket 404', sdkError('NoSuchBucket', 404)],
    ['NoSuchKey 404', sdkError('NoSuchKey', 404)],
    ['InvalidAccessKeyId', sdkError('InvalidAccessKeyId', 403)],
    ['ECONNREFUSED', networkError('ECONNREFUSED')],
    ['a bug', new TypeError('x is undefined')],
  ])('does not retry %s', (_label, error) => {
    expect(isTransientS3Error(error)).toBe(false);
  });
});

describe('toS3StoreError', () => {
  it('names the missing bucket and the fix', () => {
    const error = toS3StoreError(
      sdkError('NoSuchBucket', 404, 'The specified bucket does not exist'),
      context,
    );
    expect(isShopflowError(error, 'SF_IO')).toBe(true);
    expect(error.message).toContain('S3 bucket `landing` does not exist');
    expect(error.message).toContain('PUT s3://landing/raw/a.csv');
    expect(error.hint).toContain('create the bucket');
  });

  it('explains access denied with the IAM action, scrubbing credentials from the text', () => {
    const error = toS3StoreError(
      sdkError('InvalidAccessKeyId', 403, 'key AKIASECRETVALUE is not known'),
      context,
    );
    expect(error.message).toContain('access denied: PUT s3://landing/raw/a.csv');
    expect(error.hint).toContain('s3:PutObject');
    expect(error.message).not.toContain('AKIASECRETVALUE');
    expect(String((error.cause as Error).message)).not.toContain('AKIASECRETVALUE');
    expect(error.details).toMatchObject({ bucket: 'landing', key: 'raw/a.csv', attempts: 1 });
  });

  it('reports exhausted retries with the attempt count and the last error', () => {
    const error = toS3StoreError(
      new RetriesExhaustedError('PUT', 5, sdkError('SlowDown', 503, 'Please reduce your request rate.')),
      context,
    );
    expect(error.message).toBe(
      'PUT s3://landing/raw/a.csv failed after 5 attempts; last error: SlowDown (HTTP 503): Please reduce your request rate.; ' +
        'S3 kept failing transiently; try again later or raise `retry.maxAttempts`',
    );
  });

  it('tells an unreachable endpoint apart', () => {
    const error = toS3StoreError(networkError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'), {
      ...context,
      endpoint: 'http://127.0.0.1:1',
    });
    expect(isShopflowError(error, 'SF_UNREACHABLE')).toBe(true);
    expect(error.message).toContain('cannot reach S3 at http://127.0.0.1:1');
  });

  it('never shows the password of an endpoint URL', () => {
    const error = toS3StoreError(networkError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'), {
      ...context,
      endpoint: 'http://admin:SuperSecretPw@127.0.0.1:1',
    });
    expect(error.message).toContain('cannot reach S3 at http://admin:[REDACTED]@127.0.0.1:1');
    const missing = toS3StoreError(sdkError('NoSuchBucket', 404), {
      ...context,
      endpoint: 'http://admin:SuperSecretPw@127.0.0.1:1',
    });
    expect(`${error.message} ${error.hint} ${missing.message} ${missing.hint}`).not.toContain(
      'SuperSecretPw',
    );
  });

  it('names the environment variable an endpoint came from when the config names none', () => {
    const saved = { s3: process.env.AWS_ENDPOINT_URL_S3, all: process.env.AWS_ENDPOINT_URL };
    process.env.AWS_ENDPOINT_URL_S3 = 'http://127.0.0.1:1';
    try {
      const error = toS3StoreError(networkError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'), {
        ...context,
        configSection: 'the `lake` config',
      });
      expect(error.message).toContain('cannot reach S3 at http://127.0.0.1:1 (from AWS_ENDPOINT_URL_S3)');
      expect(error.hint).toContain('check AWS_ENDPOINT_URL_S3');
      expect(error.hint).not.toContain('`endpoint`');
    } finally {
      for (const [name, value] of [
        ['AWS_ENDPOINT_URL_S3', saved.s3],
        ['AWS_ENDPOINT_URL', saved.all],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
