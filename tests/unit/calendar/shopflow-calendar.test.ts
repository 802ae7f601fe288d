import { describe, expect, it } from 'vitest';
import shopflow from '../../../assets/definitions.js';
import { isSnapshotDay } from '../../../assets/raw/simulator/shopflow-calendar.js';
import { readGeneratorConfig } from '../../../assets/resources/generator-settings.js';
import {
  DEFAULT_HISTORY_DAYS,
  shopflowDays,
  shopflowDaysAt,
  shopflowMonths,
  shopflowWeeks,
} from '../../../assets/shopflow-calendar.js';
import { bindDefinitions, isShopflowError, ShopflowConfigSchema } from '../../../framework/index.js';

const DAY_MS = 86_400_000;
const settings = (generator: Record<string, unknown>) =>
  ShopflowConfigSchema.parse({ env: 'test', home: '/nowhere', resources: { generator } });
const live = settings({ start: '2024-01-01', historyDays: 90 });
const quarter = settings({ start: '2024-01-01', days: 90 });
const dayIndex = (day: string) => Math.round((Date.parse(day) - Date.parse('2024-01-01')) / DAY_MS);

describe('the ShopFlow calendar', () => {
  it('keeps the fixed 2024 quarter when `days` is set, whatever the date', () => {
    for (const now of ['2024-02-01T00:00:00Z', '2026-12-01T03:00:00Z']) {
      expect(shopflowDaysAt(readGeneratorConfig(quarter), new Date(now))).toEqual({
        first: '2024-01-01',
        end: '2024-03-31',
      });
    }
    const bound = bindDefinitions(shopflow, { settings: quarter, now: new Date('2026-12-01T03:00:00Z') });
    const at = new Date('2026-12-01T03:00:00Z');
    const days = bound.resolvePartitions(shopflowDays).keys(at);
    expect([days.length, days[0], days.at(-1)]).toEqual([90, '2024-01-01', '2024-03-30']);
    expect(bound.resolvePartitions(shopflowWeeks).keys(at)).toHaveLength(12);
    expect(bound.resolvePartitions(shopflowMonths).keys(at)).toEqual(['2024-01-01', '2024-02-01']);
    expect(bound.graph.get('silver_transactions').partitions).toBe(bound.resolvePartitions(shopflowDays));
  });

  it('lives up to yesterday from a snapshot day at least `historyDays` back, day after day', () => {
    let previousFirst = '';
    for (let offset = 0; offset < 75; offset++) {
      const now = new Date(Date.parse('2026-10-01T02:00:00Z') + offset * DAY_MS);
      const yesterday = new Date(now.getTime() - DAY_MS).toISOString().slice(0, 10);
      const { first, end } = shopflowDaysAt(readGeneratorConfig(live), now);
      expect(end).toBeUndefined();
      expect(isSnapshotDay(dayIndex(first))).toBe(true);
      const kept = dayIndex(yesterday) - dayIndex(first) + 1;
      expect(kept).toBeGreaterThanOrEqual(DEFAULT_HISTORY_DAYS);
      expect(kept).toBeLessThan(DEFAULT_HISTORY_DAYS + 30);
      expect(first >= previousFirst).toBe(true);
      previousFirst = first;
    }
    const bound = bindDefinitions(shopflow, { settings: live, now: new Date('2026-12-01T03:00:00Z') });
    const days = bound.resolvePartitions(shopflowDays);
    expect(days.start).toBe('2026-08-18');
    expect(days.keys(new Date('2026-12-01T03:00:00Z')).at(-1)).toBe('2026-11-30');
    // Open-ended: tomorrow there is one more day.
    expect(days.keys(new Date('2026-12-02T03:00:00Z')).at(-1)).toBe('2026-12-01');
    // Weeks and months start with the window of the first day, so the roll-ups cover every day.
    expect(bound.resolvePartitions(shopflowWeeks).start).toBe('2026-08-17');
    expect(bound.resolvePartitions(shopflowMonths).keys(new Date('2026-12-01T03:00:00Z'))).toEqual([
      '2026-08-01',
      '2026-09-01',
      '2026-10-01',
      '2026-11-01',
    ]);
  });

  it('starts with the epoch while the history is shorter than the wanted window', () => {
    const young = settings({ start: '2026-11-20', historyDays: 30 });
    expect(shopflowDaysAt(readGeneratorConfig(young), new Date('2026-12-01T03:00:00Z'))).toEqual({
      first: '2026-11-20',
    });
    const bound = bindDefinitions(shopflow, { settings: young, now: new Date('2026-12-01T03:00:00Z') });
    expect(bound.resolvePartitions(shopflowDays).keys(new Date('2026-12-01T03:00:00Z'))).toHaveLength(11);
    // The month and the week of the first day (a Friday) are partitions once they have ended.
    expect(bound.resolvePartitions(shopflowMonths).keys(new Date('2026-11-30T03:00:00Z'))).toEqual([]);
    expect(bound.resolvePartitions(shopflowMonths).keys(new Date('2026-12-01T03:00:00Z'))).toEqual([
      '2026-11-01',
    ]);
    expect(bound.resolvePartitions(shopflowWeeks).keys(new Date('2026-12-01T03:00:00Z'))).toEqual([
      '2026-11-16',
      '2026-11-23',
    ]);
  });

  it('binds each runtime on its own: the declared definitions and other bindings are untouched', () => {
    const now = new Date('2026-12-01T03:00:00Z');
    const a = bindDefinitions(shopflow, { settings: quarter, now });
    const b = bindDefinitions(shopflow, { settings: live, now });
    expect(a.graph.get('raw_transactions').partitions!.keys(now)).toHaveLength(90);
    expect(b.graph.get('raw_transactions').partitions!.keys(now)[0]).toBe('2026-08-18');
    expect(shopflow.graph.get('raw_transactions').partitions).toBe(shopflowDays);
    expect(shopflowDays.start).toBe('2024-01-01');
    // Dependencies of the bound assets are the bound assets.
    const silver = b.graph.get('silver_transactions');
    expect(silver.deps.raw).toBe(b.graph.get('raw_transactions'));
  });

  it('rejects a configuration that sets both a fixed range and a history window, or a bad start', () => {
    const attempt = (generator: Record<string, unknown>) => {
      try {
        bindDefinitions(shopflow, { settings: settings(generator), now: new Date() });
      } catch (error) {
        return error;
      }
      return undefined;
    };
    const both = attempt({ days: 90, historyDays: 30 });
    expect(isShopflowError(both, 'SF_CONFIG_INVALID')).toBe(true);
    expect((both as Error).message).toContain('resources.generator.historyDays');
    const start = attempt({ start: '2024-02-30' });
    expect(isShopflowError(start, 'SF_CONFIG_INVALID')).toBe(true);
    expect((start as Error).message).toContain('resources.generator.start');
  });
});
