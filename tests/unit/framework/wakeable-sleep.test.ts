import { afterEach, describe, expect, test, vi } from 'vitest';
import { WakeableSleep } from '../../../framework/index.js';

afterEach(() => vi.useRealTimers());

describe('a wakeable sleep', () => {
  test('ends when its time is up, or at once when woken; a wake with no sleep in progress does nothing', async () => {
    vi.useFakeTimers();
    const pause = new WakeableSleep();
    pause.wake();
    let done = false;
    const slept = pause.sleep(100).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(99);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await slept;
    expect(done).toBe(true);

    let woken = false;
    const long = pause.sleep(60_000).then(() => {
      woken = true;
    });
    await Promise.resolve();
    expect(woken).toBe(false);
    pause.wake();
    await long;
    expect(woken).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });
});
