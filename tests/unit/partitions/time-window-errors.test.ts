import { describe, expect, it } from 'vitest';
import { type ErrorCode, ShopflowError } from '../../../framework/errors/error-catalog.js';
import { daily, monthly, weekly } from '../../../framework/partitions/index.js';

function thrown(action: () => unknown, code: ErrorCode): ShopflowError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ShopflowError);
    expect((error as ShopflowError).code).toBe(code);
    return error as ShopflowError;
  }
  throw new Error('expected an error');
}

function expectMessage(error: ShopflowError, ...parts: string[]) {
  for (const part of parts) expect(error.message).toContain(part);
}

describe('time-window definition errors (SF_INVALID_ASSET)', () => {
  it('rejects a weekly start that is not on the week start day, naming the nearest aligned dates', () => {
    const error = thrown(() => weekly({ start: '2024-01-03' }), 'SF_INVALID_ASSET');
    expectMessage(
      error,
      '`2024-01-03`',
      'Wednesday',
      'start on Monday',
      'nearest aligned date `2024-01-01`',
      '`2024-01-08`',
    );
    const friday = thrown(() => weekly({ start: '2024-01-05' }), 'SF_INVALID_ASSET');
    expectMessage(friday, '`2024-01-05`', 'Friday', 'nearest aligned date `2024-01-08`', '`2024-01-01`');
    const sunday = thrown(() => weekly({ start: '2024-01-01', weekStartsOn: 0 }), 'SF_INVALID_ASSET');
    expectMessage(sunday, '`2024-01-01`', 'Monday', 'start on Sunday', 'nearest aligned date `2023-12-31`');
  });

  it('rejects a monthly start that is not the 1st, naming the nearest aligned dates', () => {
    expectMessage(
      thrown(() => monthly({ start: '2024-01-20' }), 'SF_INVALID_ASSET'),
      '`2024-01-20`',
      'not the 1st of a month',
      'nearest aligned date `2024-02-01`',
      '`2024-01-01`',
    );
    expectMessage(
      thrown(() => monthly({ start: '2024-01-10' }), 'SF_INVALID_ASSET'),
      'nearest aligned date `2024-01-01`',
      '`2024-02-01`',
    );
  });

  it('rejects a start that is not a YYYY-MM-DD date and suggests the fix', () => {
    expectMessage(
      thrown(() => daily({ start: '2024/01/05' }), 'SF_INVALID_ASSET'),
      '`2024/01/05`',
      'YYYY-MM-DD',
      'use `2024-01-05`',
    );
    expectMessage(
      thrown(() => daily({ start: '2023-02-29' }), 'SF_INVALID_ASSET'),
      '`2023-02-29`',
      'February 2023 has 28 days',
      'use `2023-02-28`',
    );
    expectMessage(
      thrown(() => daily({ start: 'soon' }), 'SF_INVALID_ASSET'),
      '`soon`',
      'write it like `2024-01-01`',
    );
    expectMessage(
      thrown(() => weekly({ start: '2024/01/03' }), 'SF_INVALID_ASSET'),
      '`2024/01/03`',
      'nearest aligned date `2024-01-01`',
    );
  });

  it('rejects an unknown time zone with did-you-mean', () => {
    expectMessage(
      thrown(() => daily({ start: '2024-01-01', timezone: 'Europe/Berln' }), 'SF_INVALID_ASSET'),
      '`Europe/Berln`',
      'did you mean `Europe/Berlin`',
    );
    expectMessage(
      thrown(() => daily({ start: '2024-01-01', timezone: 'Nowhere' }), 'SF_INVALID_ASSET'),
      '`Nowhere`',
      'use a name such as `UTC`',
    );
  });

  it('rejects a bad weekStartsOn and a fractional endOffset', () => {
    expectMessage(
      thrown(() => weekly({ start: '2024-01-01', weekStartsOn: 7 }), 'SF_INVALID_ASSET'),
      '`7`',
      '0 (Sunday) to 6',
    );
    expectMessage(
      thrown(() => weekly({ start: '2024-01-01', weekStartsOn: 1.5 }), 'SF_INVALID_ASSET'),
      '`1.5`',
    );
    expectMessage(
      thrown(() => daily({ start: '2024-01-01', endOffset: 0.5 }), 'SF_INVALID_ASSET'),
      '`0.5`',
      'integer',
    );
  });
});

describe('time-window key errors (SF_BAD_PARTITION)', () => {
  const now = new Date('2024-03-10T10:00:00Z');
  const days = daily({ start: '2024-01-01' });

  it('names a malformed key, the format and the key it probably meant', () => {
    expectMessage(
      thrown(() => days.validate('2024-1-5', now), 'SF_BAD_PARTITION'),
      '`2024-1-5`',
      'YYYY-MM-DD',
      'did you mean `2024-01-05`',
    );
    expectMessage(
      thrown(() => days.validate('20240105', now), 'SF_BAD_PARTITION'),
      '`20240105`',
      'did you mean `2024-01-05`',
    );
    expectMessage(
      thrown(() => days.validate('yesterday', now), 'SF_BAD_PARTITION'),
      '`yesterday`',
      'YYYY-MM-DD',
      'valid keys run from `2024-01-01` to `2024-03-09`',
    );
  });

  it('reads a month alone as its first day, not as January 1st', () => {
    const months = monthly({ start: '2024-01-01' });
    expectMessage(
      thrown(() => months.validate('2024-02', now), 'SF_BAD_PARTITION'),
      '`2024-02`',
      'did you mean `2024-02-01`',
    );
    expectMessage(
      thrown(() => months.validate('2024/2', now), 'SF_BAD_PARTITION'),
      'did you mean `2024-02-01`',
    );
  });

  it('names a day that is not in the calendar and the closest real one', () => {
    expectMessage(
      thrown(() => days.validate('2024-02-30', now), 'SF_BAD_PARTITION'),
      '`2024-02-30`',
      'February 2024 has 29 days',
      'did you mean `2024-02-29`',
    );
    expectMessage(
      thrown(() => days.validate('2024-13-01', now), 'SF_BAD_PARTITION'),
      '`2024-13-01`',
      'month 13 does not exist',
    );
  });

  it('names a key before the start and suggests the first key', () => {
    expectMessage(
      thrown(() => days.validate('2023-12-31', now), 'SF_BAD_PARTITION'),
      '`2023-12-31`',
      'before the first partition `2024-01-01`',
      'nearest valid key is `2024-01-01`',
    );
  });

  it('names a key past a fixed end as after the last partition, not as not yet existing', () => {
    const fixed = daily({ start: '2024-01-01', end: '2024-02-01' });
    const error = thrown(() => fixed.validate('2024-02-05', now), 'SF_BAD_PARTITION');
    expectMessage(
      error,
      '`2024-02-05`',
      'after the last partition (the partitions end at 2024-02-01)',
      'nearest valid key is `2024-01-31`',
    );
    expect(error.message).not.toContain('does not exist yet');
    // before the end, a key still in the future is one that does not exist yet
    const later = daily({ start: '2024-01-01', end: '2024-06-01' });
    expectMessage(
      thrown(() => later.validate('2024-04-01', now), 'SF_BAD_PARTITION'),
      'does not exist yet',
    );
  });

  it('names a key in the future and suggests the latest key', () => {
    const error = thrown(() => days.validate('2024-03-10', now), 'SF_BAD_PARTITION');
    expectMessage(
      error,
      '`2024-03-10`',
      'does not exist yet at 2024-03-10T10:00:00.000Z',
      'nearest valid key is `2024-03-09`',
    );
    expect(error.details).toEqual({ key: '2024-03-10', partitions: 'daily from 2024-01-01 (UTC)' });
    expectMessage(
      thrown(() => days.validate('2030-01-01', now), 'SF_BAD_PARTITION'),
      '`2030-01-01`',
      '`2024-03-09`',
    );
    const open = daily({ start: '2024-01-01', endOffset: 1 });
    expect(() => open.validate('2024-03-10', now)).not.toThrow();
    expectMessage(
      thrown(() => open.validate('2024-03-11', now), 'SF_BAD_PARTITION'),
      '`2024-03-11`',
      'end offset 1',
      'nearest valid key is `2024-03-10`',
    );
  });

  it('names a key that is not aligned and the window containing it', () => {
    const weeks = weekly({ start: '2024-01-01' });
    expectMessage(
      thrown(() => weeks.validate('2024-01-10', now), 'SF_BAD_PARTITION'),
      '`2024-01-10`',
      'Wednesday',
      'weekly windows start on Monday',
      'the week containing it is `2024-01-08`',
    );
    expectMessage(
      thrown(() => monthly({ start: '2024-01-01' }).validate('2024-02-15', now), 'SF_BAD_PARTITION'),
      '`2024-02-15`',
      'not the 1st of a month',
      'the month containing it is `2024-02-01`',
    );
  });

  it('suggests the nearest existing key when the containing window does not exist', () => {
    const weeks = weekly({ start: '2024-01-01' });
    expectMessage(
      thrown(() => weeks.validate('2024-03-06', now), 'SF_BAD_PARTITION'),
      '`2024-03-06`',
      'nearest valid key is `2024-02-26`',
    );
    expectMessage(
      thrown(() => monthly({ start: '2024-01-01' }).validate('2023-12-15', now), 'SF_BAD_PARTITION'),
      '`2023-12-15`',
      'nearest valid key is `2024-01-01`',
    );
  });

  it('says when no partition exists yet and when the first one will', () => {
    const future = daily({ start: '2025-01-01' });
    expectMessage(
      thrown(() => future.validate('2025-01-01', now), 'SF_BAD_PARTITION'),
      '`2025-01-01`',
      'no partition exists yet',
      'exists from 2025-01-02T00:00:00.000Z',
    );
    expectMessage(
      thrown(() => future.validate('nope', now), 'SF_BAD_PARTITION'),
      '`nope`',
      'no partition exists yet',
    );
  });

  it('checks both ends of a range and rejects a reversed range', () => {
    expectMessage(
      thrown(() => days.range('2024-01-05', '2024-03-20', now), 'SF_BAD_PARTITION'),
      '`2024-03-20`',
      '`2024-03-09`',
    );
    expectMessage(
      thrown(() => days.range('2023-12-01', '2024-01-05', now), 'SF_BAD_PARTITION'),
      '`2023-12-01`',
    );
    const reversed = thrown(() => days.range('2024-02-01', '2024-01-01', now), 'SF_BAD_PARTITION_RANGE');
    expectMessage(reversed, '`2024-02-01`', '`2024-01-01`', 'reversed', 'from `2024-01-01` to `2024-02-01`');
  });

  it('checks keys in partition() without a clock', () => {
    expect(days.partition('2099-01-01').key).toBe('2099-01-01');
    expectMessage(
      thrown(() => days.partition('2023-12-31'), 'SF_BAD_PARTITION'),
      '`2023-12-31`',
      '`2024-01-01`',
    );
    expectMessage(
      thrown(() => days.partition('bad'), 'SF_BAD_PARTITION'),
      '`bad`',
      'valid keys start at `2024-01-01`',
    );
    expectMessage(
      thrown(() => weekly({ start: '2024-01-01' }).partition('2099-01-02'), 'SF_BAD_PARTITION'),
      'the week containing it is `2098-12-29`',
    );
  });
});
