import { describe, expect, test } from 'vitest';
import { daily, isShopflowError, monthly, staticPartitions, weekly } from '../../../framework/index.js';
import {
  CronTicks,
  closedWindowsPartition,
  defineSchedule,
  defineSensor,
  previousDayPartition,
  throughPreviousDay,
} from '../../../schedules/index.js';

const days = daily({ start: '2024-01-01', timezone: 'Europe/Berlin' });
const weeks = weekly({ start: '2024-01-01', timezone: 'Europe/Berlin' });
const months = monthly({ start: '2024-01-01', timezone: 'Europe/Berlin' });

function code(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (error) {
    return isShopflowError(error) ? `${error.code}: ${error.message}` : String(error);
  }
}

describe('previousDayPartition', () => {
  const yesterday = previousDayPartition(days);

  test('is the Berlin day before the tick, across both daylight saving changes', () => {
    const nightly = new CronTicks('0 2 * * *', 'Europe/Berlin', 'nightly');
    const ticks = nightly.between(
      new Date('2024-03-29T12:00:00Z'),
      new Date('2024-04-01T12:00:00Z'),
      10,
    ).ticks;
    expect(ticks.map((t) => yesterday(t))).toEqual([
      { keys: ['2024-03-29'] },
      { keys: ['2024-03-30'] },
      { keys: ['2024-03-31'] },
    ]);
    const fall = nightly.between(
      new Date('2024-10-26T12:00:00Z'),
      new Date('2024-10-28T12:00:00Z'),
      10,
    ).ticks;
    expect(fall.map((t) => yesterday(t))).toEqual([{ keys: ['2024-10-26'] }, { keys: ['2024-10-27'] }]);
  });

  test('a tick at local midnight targets the day that just ended; before the first day there is none', () => {
    expect(yesterday(new Date('2024-01-14T23:00:00Z'))).toEqual({ keys: ['2024-01-14'] });
    expect(yesterday(new Date('2024-01-01T05:00:00Z'))).toBeNull();
    expect(yesterday(new Date('2023-06-01T05:00:00Z'))).toBeNull();
  });

  test('refuses partitions that are not daily', () => {
    expect(code(() => previousDayPartition(weeks))).toContain(
      'SF_INVALID_SCHEDULE: previousDayPartition needs daily',
    );
    expect(code(() => previousDayPartition(staticPartitions(['a', 'b'])))).toContain(
      'needs time-window partitions',
    );
  });
});

describe('closedWindowsPartition', () => {
  const nightly = new CronTicks('0 2 * * *', 'Europe/Berlin', 'nightly');
  const rule = closedWindowsPartition(weeks);

  test('a daily tick materializes a week only on the tick after it closed', () => {
    const ticks = nightly.between(
      new Date('2024-01-12T12:00:00Z'),
      new Date('2024-01-16T12:00:00Z'),
      10,
    ).ticks;
    const results = ticks.map((tick) => rule(tick, { previousTickTime: nightly.previous(tick) }));
    expect(results).toEqual([null, null, { keys: ['2024-01-08'] }, null]);
  });

  test('after downtime, every window closed since the previous tick; on a first tick, the newest closed one', () => {
    const tick = new Date('2024-01-29T01:00:00Z');
    expect(rule(tick, { previousTickTime: new Date('2024-01-10T01:00:00Z') })).toEqual({
      keys: ['2024-01-08', '2024-01-15', '2024-01-22'],
    });
    expect(rule(tick, { previousTickTime: null })).toEqual({ keys: ['2024-01-22'] });
  });

  test('a month closes on the 1st, also right after the spring change', () => {
    const monthly = closedWindowsPartition(months);
    const tick = new Date('2024-04-01T00:00:00Z');
    expect(monthly(tick, { previousTickTime: new Date('2024-03-31T01:00:00Z') })).toEqual({
      keys: ['2024-03-01'],
    });
    expect(monthly(new Date('2024-04-02T00:00:00Z'), { previousTickTime: tick })).toBeNull();
  });
});

describe('defineSchedule and defineSensor', () => {
  test('normalize defaults', () => {
    const schedule = defineSchedule({
      name: 'nightly',
      cron: '0 2 * * *',
      selection: 'readings',
      catchUp: 'all',
    });
    expect(schedule).toMatchObject({
      kind: 'schedule',
      timezone: 'UTC',
      enabled: true,
      retry: { maxRetries: 0 },
      tags: {},
      description: '',
    });
    const sensor = defineSensor({ name: 'arrivals', intervalSeconds: 30, evaluate: () => ({}) });
    expect(sensor).toMatchObject({ kind: 'sensor', enabled: true, retry: { maxRetries: 0 } });
  });

  test('reject bad names, cron expressions, zones, policies and retries with the fix', () => {
    const base = { name: 'nightly', cron: '0 2 * * *', selection: 'readings', catchUp: 'all' as const };
    expect(code(() => defineSchedule({ ...base, name: 'Nightly Run' }))).toContain(
      'SF_INVALID_SCHEDULE: schedule name `Nightly Run` is not snake_case',
    );
    expect(code(() => defineSchedule({ ...base, cron: '0 25 * * *' }))).toContain(
      'cron expression `0 25 * * *`',
    );
    expect(code(() => defineSchedule({ ...base, timezone: 'Mars/Olympus' }))).toContain('`Mars/Olympus`');
    expect(code(() => defineSchedule({ ...base, catchUp: 'some' as never }))).toContain('catchUp `some`');
    expect(code(() => defineSchedule({ ...base, retry: { maxRetries: -1 } }))).toContain(
      'retry.maxRetries -1',
    );
    expect(code(() => defineSchedule({ ...base, selection: ' ' }))).toContain('has no selection');
    expect(
      code(() => defineSensor({ name: 'arrivals', intervalSeconds: 0, evaluate: () => ({}) })),
    ).toContain('intervalSeconds 0');
  });
});

describe('throughPreviousDay', () => {
  const through = throughPreviousDay(days);

  test('every day from the first up to yesterday, in the partitions time zone; null before the first day ends', () => {
    expect(through(new Date('2024-01-10T01:00:00Z'))).toEqual({ from: '2024-01-01', to: '2024-01-09' });
    expect(through(new Date('2024-01-01T12:00:00Z'))).toBeNull();
  });

  test('uses the partitions the running instance bound to its configuration', () => {
    const bound = daily({ start: '2024-01-05', timezone: 'Europe/Berlin' });
    const context = {
      previousTickTime: null,
      resolvePartitions: <T>(definition: T): T =>
        definition === (days as unknown) ? (bound as T) : definition,
    };
    expect(through(new Date('2024-01-10T01:00:00Z'), context)).toEqual({
      from: '2024-01-05',
      to: '2024-01-09',
    });
  });

  test('needs daily partitions', () => {
    expect(code(() => throughPreviousDay(weeks))).toContain(
      'SF_INVALID_SCHEDULE: throughPreviousDay needs daily',
    );
  });
});
