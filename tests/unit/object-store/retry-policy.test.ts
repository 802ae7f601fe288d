import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  RetriesExhaustedError,
  type RetryEvent,
  withRetry,
} from '../../../framework/io/blob/retry-policy.js';

const transient = Object.assign(new Error('slow down'), { transient: true });
const permanent = new Error('forbidden');
const isTransient = (error: unknown) => (error as { transient?: boolean }).transient === true;

function recorder() {
  const sleeps: number[] = [];
  const events: RetryEvent[] = [];
  return {
    sleeps,
    events,
    policy: {
      sleep: async (ms: number) => {
        sleeps.push(ms);
      },
      onRetry: (event: RetryEvent) => events.push(event),
    },
  };
}

describe('backoffDelayMs', () => {
  it('grows exponentially up to the cap, scaled by the random draw (full jitter)', () => {
    const top = { baseDelayMs: 100, maxDelayMs: 5000, random: () => 0.999999 };
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelayMs(n, top))).toEqual([
      99, 199, 399, 799, 1599, 3199, 4999,
    ]);
    expect(backoffDelayMs(4, { baseDelayMs: 100, maxDelayMs: 5000, random: () => 0.5 })).toBe(400);
    expect(backoffDelayMs(4, { baseDelayMs: 100, maxDelayMs: 5000, random: () => 0 })).toBe(0);
  });

  it('defaults to base 100 ms and cap 5 s', () => {
    expect(backoffDelayMs(1, { random: () => 0.5 })).toBe(50);
    expect(backoffDelayMs(20, { random: () => 0.5 })).toBe(2500);
  });
});

describe('withRetry', () => {
  it('retries transient failures with backoff and returns the first success', async () => {
    const { sleeps, events, policy } = recorder();
    const attempts: number[] = [];
    const result = await withRetry(
      'PUT s3://b/k',
      async (attempt) => {
        attempts.push(attempt);
        if (attempt < 3) throw transient;
        return 'ok';
      },
      { policy: { ...policy, baseDelayMs: 100, random: () => 0.5 }, isTransient },
    );
    expect(result).toBe('ok');
    expect(attempts).toEqual([1, 2, 3]);
    expect(sleeps).toEqual([50, 100]);
    expect(events.map((e) => [e.operation, e.attempt, e.delayMs])).toEqual([
      ['PUT s3://b/k', 1, 50],
      ['PUT s3://b/k', 2, 100],
    ]);
  });

  it('rethrows a non-transient failure at once, unchanged', async () => {
    const { sleeps, policy } = recorder();
    let calls = 0;
    const outcome = withRetry(
      'GET',
      async () => {
        calls++;
        throw permanent;
      },
      { policy, isTransient },
    );
    await expect(outcome).rejects.toBe(permanent);
    expect(calls).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('gives up after maxAttempts with the last error as cause', async () => {
    const { sleeps, policy } = recorder();
    let calls = 0;
    const error = await withRetry(
      'PUT',
      async () => {
        calls++;
        throw transient;
      },
      { policy: { ...policy, maxAttempts: 4 }, isTransient },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect((error as RetriesExhaustedError).attempts).toBe(4);
    expect((error as RetriesExhaustedError).cause).toBe(transient);
    expect(calls).toBe(4);
    expect(sleeps).toHaveLength(3);
  });

  it('defaults to 5 attempts', async () => {
    const { policy } = recorder();
    let calls = 0;
    await withRetry(
      'PUT',
      async () => {
        calls++;
        throw transient;
      },
      { policy, isTransient },
    ).catch(() => undefined);
    expect(calls).toBe(5);
  });
});
