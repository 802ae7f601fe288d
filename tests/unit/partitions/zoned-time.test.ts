import { describe, expect, it } from 'vitest';
import { isShopflowError } from '../../../framework/errors/error-catalog.js';
import {
  canonicalTimeZone,
  dateInZone,
  zonedMidnight,
  zoneOffsetMs,
} from '../../../framework/partitions/index.js';

const HOUR = 3_600_000;

function hoursBetween(a: Date, b: Date): number {
  return (b.getTime() - a.getTime()) / HOUR;
}

function previousDate(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

describe('zonedMidnight', () => {
  it('finds local midnight in UTC and fixed-offset zones', () => {
    expect(zonedMidnight('2024-01-15', 'UTC').toISOString()).toBe('2024-01-15T00:00:00.000Z');
    expect(zonedMidnight('2024-01-15', 'Asia/Kolkata').toISOString()).toBe('2024-01-14T18:30:00.000Z');
    expect(zonedMidnight('2024-01-15', 'Pacific/Chatham').toISOString()).toBe('2024-01-14T10:15:00.000Z');
  });

  it('makes Berlin days 23 h and 25 h long on DST changes', () => {
    expect(zonedMidnight('2024-03-31', 'Europe/Berlin').toISOString()).toBe('2024-03-30T23:00:00.000Z');
    expect(zonedMidnight('2024-04-01', 'Europe/Berlin').toISOString()).toBe('2024-03-31T22:00:00.000Z');
    expect(
      hoursBetween(
        zonedMidnight('2024-03-31', 'Europe/Berlin'),
        zonedMidnight('2024-04-01', 'Europe/Berlin'),
      ),
    ).toBe(23);
    expect(
      hoursBetween(
        zonedMidnight('2024-10-27', 'Europe/Berlin'),
        zonedMidnight('2024-10-28', 'Europe/Berlin'),
      ),
    ).toBe(25);
    expect(
      hoursBetween(
        zonedMidnight('2024-10-28', 'Europe/Berlin'),
        zonedMidnight('2024-10-29', 'Europe/Berlin'),
      ),
    ).toBe(24);
  });

  it('makes New York days 23 h and 25 h long on DST changes', () => {
    expect(zonedMidnight('2024-03-10', 'America/New_York').toISOString()).toBe('2024-03-10T05:00:00.000Z');
    expect(
      hoursBetween(
        zonedMidnight('2024-03-10', 'America/New_York'),
        zonedMidnight('2024-03-11', 'America/New_York'),
      ),
    ).toBe(23);
    expect(zonedMidnight('2024-11-03', 'America/New_York').toISOString()).toBe('2024-11-03T04:00:00.000Z');
    expect(
      hoursBetween(
        zonedMidnight('2024-11-03', 'America/New_York'),
        zonedMidnight('2024-11-04', 'America/New_York'),
      ),
    ).toBe(25);
  });

  it('starts the day when the clocks jump if midnight does not exist', () => {
    // Chile and Cuba move their clocks at midnight: 00:00 → 01:00.
    expect(zonedMidnight('2024-09-08', 'America/Santiago').toISOString()).toBe('2024-09-08T04:00:00.000Z');
    expect(zonedMidnight('2024-03-10', 'America/Havana').toISOString()).toBe('2024-03-10T05:00:00.000Z');
    expect(dateInZone(new Date('2024-09-08T03:59:59.999Z'), 'America/Santiago')).toBe('2024-09-07');
  });

  it('takes the first of two midnights when the clocks go back over midnight', () => {
    // Havana goes back from 01:00 to 00:00 on 2024-11-03, so midnight happens twice.
    expect(zonedMidnight('2024-11-03', 'America/Havana').toISOString()).toBe('2024-11-03T04:00:00.000Z');
    expect(
      hoursBetween(
        zonedMidnight('2024-11-03', 'America/Havana'),
        zonedMidnight('2024-11-04', 'America/Havana'),
      ),
    ).toBe(25);
  });

  it('gives a zero-length day to a date a zone skipped entirely', () => {
    // Samoa skipped 2011-12-30 when it crossed the date line.
    expect(zonedMidnight('2011-12-30', 'Pacific/Apia').getTime()).toBe(
      zonedMidnight('2011-12-31', 'Pacific/Apia').getTime(),
    );
  });

  it('round-trips every day of a leap year in several zones', () => {
    for (const zone of [
      'UTC',
      'Europe/Berlin',
      'America/New_York',
      'Australia/Lord_Howe',
      'America/Santiago',
    ]) {
      let date = '2024-01-01';
      for (let i = 0; i < 366; i++) {
        const midnight = zonedMidnight(date, zone);
        expect(dateInZone(midnight, zone)).toBe(date);
        expect(dateInZone(new Date(midnight.getTime() - 1), zone)).toBe(previousDate(date));
        const next = new Date(`${date}T00:00:00Z`);
        next.setUTCDate(next.getUTCDate() + 1);
        date = next.toISOString().slice(0, 10);
      }
      expect(date).toBe('2025-01-01');
    }
  });

  it('rejects dates that are not YYYY-MM-DD calendar dates', () => {
    for (const bad of ['2024-02-30', '2024-1-1', 'tomorrow', '2023-02-29']) {
      let error: unknown;
      try {
        zonedMidnight(bad, 'UTC');
      } catch (caught) {
        error = caught;
      }
      expect(isShopflowError(error, 'SF_INPUT_INVALID')).toBe(true);
      expect((error as Error).message).toContain(`\`${bad}\``);
    }
  });
});

describe('dateInZone', () => {
  it('gives the calendar date of an instant in a zone', () => {
    const instant = new Date('2024-01-01T23:30:00Z');
    expect(dateInZone(instant, 'UTC')).toBe('2024-01-01');
    expect(dateInZone(instant, 'Europe/Berlin')).toBe('2024-01-02');
    expect(dateInZone(instant, 'America/New_York')).toBe('2024-01-01');
    expect(dateInZone(new Date('2024-01-01T04:59:59Z'), 'America/New_York')).toBe('2023-12-31');
  });

  it('rejects an unknown time zone with the name and a fix', () => {
    expect(() => dateInZone(new Date(), 'Mars/Olympus')).toThrow(
      /`Mars\/Olympus` is not an IANA time zone.*Europe\/Berlin/,
    );
  });
});

describe('zoneOffsetMs and canonicalTimeZone', () => {
  it('reads offsets, including historic local mean time with seconds', () => {
    expect(zoneOffsetMs(new Date('2024-07-01T00:00:00Z'), 'Europe/Berlin')).toBe(2 * HOUR);
    expect(zoneOffsetMs(new Date('2024-01-01T00:00:00Z'), 'Europe/Berlin')).toBe(HOUR);
    expect(zoneOffsetMs(new Date('2024-01-01T00:00:00Z'), 'America/New_York')).toBe(-5 * HOUR);
    expect(zoneOffsetMs(new Date('1850-01-01T00:00:00Z'), 'Europe/Berlin')).toBe((53 * 60 + 28) * 1000);
  });

  it('canonicalizes names and rejects unknown ones', () => {
    expect(canonicalTimeZone('europe/berlin')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('UTC')).toBe('UTC');
    expect(canonicalTimeZone('Nowhere/City')).toBeUndefined();
  });
});
