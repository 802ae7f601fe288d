import { describe, expect, test } from 'vitest';
import { isShopflowError } from '../../../framework/index.js';
import { CronTicks, dueTicks, MAX_TICKS_PER_EVALUATION } from '../../../schedules/index.js';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
const berlin = (d: Date) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Berlin',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).format(d);

describe('CronTicks across daylight saving changes (Europe/Berlin)', () => {
  const nightly = new CronTicks('30 2 * * *', 'Europe/Berlin', 'schedule `nightly`');

  test('02:30 does not exist on 2024-03-31: it fires once, at 03:30 CEST', () => {
    const { ticks } = nightly.between(new Date('2024-03-29T12:00:00Z'), new Date('2024-04-02T12:00:00Z'), 10);
    expect(iso(ticks)).toEqual([
      '2024-03-30T01:30:00.000Z',
      '2024-03-31T01:30:00.000Z',
      '2024-04-01T00:30:00.000Z',
      '2024-04-02T00:30:00.000Z',
    ]);
    expect(ticks.map(berlin)).toEqual([
      '30/03/2024, 02:30 CET',
      '31/03/2024, 03:30 CEST',
      '01/04/2024, 02:30 CEST',
      '02/04/2024, 02:30 CEST',
    ]);
  });

  test('02:30 exists twice on 2024-10-27: it fires once, at the first (CEST) occurrence', () => {
    const { ticks } = nightly.between(new Date('2024-10-25T12:00:00Z'), new Date('2024-10-29T12:00:00Z'), 10);
    expect(iso(ticks)).toEqual([
      '2024-10-26T00:30:00.000Z',
      '2024-10-27T00:30:00.000Z',
      '2024-10-28T01:30:00.000Z',
      '2024-10-29T01:30:00.000Z',
    ]);
    expect(berlin(ticks[1])).toBe('27/10/2024, 02:30 CEST');
  });

  test('an hourly schedule fires at every real hour, both 02:00s on 2024-10-27 and no 02:00 on 2024-03-31', () => {
    const hourly = new CronTicks('0 * * * *', 'Europe/Berlin', 'schedule `hourly`');
    const fall = hourly.between(new Date('2024-10-26T23:30:00Z'), new Date('2024-10-27T02:30:00Z'), 10).ticks;
    expect(fall.map(berlin)).toEqual([
      '27/10/2024, 02:00 CEST',
      '27/10/2024, 02:00 CET',
      '27/10/2024, 03:00 CET',
    ]);
    const spring = hourly.between(
      new Date('2024-03-30T23:30:00Z'),
      new Date('2024-03-31T02:30:00Z'),
      10,
    ).ticks;
    expect(spring.map(berlin)).toEqual([
      '31/03/2024, 01:00 CET',
      '31/03/2024, 03:00 CEST',
      '31/03/2024, 04:00 CEST',
    ]);
  });

  test('latest and previous agree with the forward sequence around both changes', () => {
    expect(
      nightly.latest(new Date('2024-03-30T12:00:00Z'), new Date('2024-03-31T12:00:00Z'))?.toISOString(),
    ).toBe('2024-03-31T01:30:00.000Z');
    expect(nightly.previous(new Date('2024-04-01T00:30:00Z'))?.toISOString()).toBe(
      '2024-03-31T01:30:00.000Z',
    );
    expect(
      nightly.latest(new Date('2024-10-26T12:00:00Z'), new Date('2024-10-27T12:00:00Z'))?.toISOString(),
    ).toBe('2024-10-27T00:30:00.000Z');
    expect(nightly.previous(new Date('2024-10-28T01:30:00Z'))?.toISOString()).toBe(
      '2024-10-27T00:30:00.000Z',
    );
    expect(nightly.latest(new Date('2024-10-27T00:30:00Z'), new Date('2024-10-27T23:00:00Z'))).toBeNull();
    const yearly = new CronTicks('0 0 1 1 *', 'UTC', 'schedule `yearly`');
    expect(
      yearly.latest(new Date('2020-06-01T00:00:00Z'), new Date('2024-06-01T00:00:00Z'))?.toISOString(),
    ).toBe('2024-01-01T00:00:00.000Z');
  });

  test('a bad expression or time zone is an SF_INVALID_SCHEDULE error naming the schedule', () => {
    const attempt = (cron: string, zone: string) => {
      try {
        new CronTicks(cron, zone, 'schedule `nightly`');
        return null;
      } catch (error) {
        expect(isShopflowError(error, 'SF_INVALID_SCHEDULE')).toBe(true);
        return (error as Error).message;
      }
    };
    expect(attempt('61 2 * * *', 'UTC')).toContain('schedule `nightly` has the cron expression `61 2 * * *`');
    expect(attempt('0 2 * * *', 'Europe/Berlinn')).toContain(
      '`Europe/Berlinn`, which is not an IANA time zone',
    );
    expect(attempt('0 2 * * *', 'Europe/Berlin')).toBeNull();
  });
});

describe('dueTicks', () => {
  const hourly = new CronTicks('0 * * * *', 'UTC', 'schedule `hourly`');
  const down = new Date('2024-01-01T00:00:00Z');
  const back = new Date('2024-01-01T05:30:00Z');

  test('catch-up all runs every missed tick in order, each knowing the one before', () => {
    const { ticks, more } = dueTicks(hourly, 'all', down, back);
    expect(more).toBe(false);
    expect(ticks.map((t) => [t.scheduledTime.toISOString().slice(11, 16), t.action])).toEqual([
      ['01:00', 'run'],
      ['02:00', 'run'],
      ['03:00', 'run'],
      ['04:00', 'run'],
      ['05:00', 'run'],
    ]);
    expect(ticks[0].previousTickTime?.toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(ticks[3].previousTickTime?.toISOString()).toBe('2024-01-01T03:00:00.000Z');
  });

  test('catch-up latest runs the newest tick and records the others as skipped', () => {
    const { ticks } = dueTicks(hourly, 'latest', down, back);
    expect(ticks.map((t) => t.action)).toEqual(['skip', 'skip', 'skip', 'skip', 'run']);
    expect(ticks[4].scheduledTime.toISOString()).toBe('2024-01-01T05:00:00.000Z');
    expect(ticks[4].message).toBe('caught up: 4 earlier missed ticks skipped');
    expect(ticks[0].message).toContain('catch-up policy `latest`');
  });

  test('nothing is due before the next tick; a long backlog under all comes in bounded slices', () => {
    expect(dueTicks(hourly, 'latest', back, new Date('2024-01-01T05:59:59Z')).ticks).toEqual([]);
    const minutely = new CronTicks('* * * * *', 'UTC', 'schedule `minutely`');
    const slice = dueTicks(minutely, 'all', down, new Date('2024-01-02T00:00:00Z'));
    expect(slice.ticks).toHaveLength(MAX_TICKS_PER_EVALUATION);
    expect(slice.more).toBe(true);
  });
});
