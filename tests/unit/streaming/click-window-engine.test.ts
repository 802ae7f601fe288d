import { describe, expect, test } from 'vitest';
import { bruteForceWindows, type Tables } from './brute-force-windows.js';
import { randomScenario, runEngine, seeded, sliceRecords, TEST_SETTINGS } from './engine-harness.js';

function sorted(tables: Tables): Record<string, Array<[string, string]>> {
  return Object.fromEntries(
    Object.entries(tables).map(([name, map]) => [
      name,
      [...(map as Map<string, string>)].sort(([a], [b]) => (a < b ? -1 : 1)),
    ]),
  );
}

const SEEDS = Array.from({ length: 40 }, (_, i) => 1000 + i * 7);

describe('click window engine against a brute-force recomputation', () => {
  test.each(SEEDS)('random orders, duplicates, lateness and malformed records (seed %i)', (seed) => {
    const scenario = randomScenario(seed);
    const random = seeded(seed + 1);
    const sliceMs = [100, 250, 1000, 5000][Math.floor(random() * 4)];
    const slices = sliceRecords(scenario, sliceMs, random, random() < 0.8);
    const expected = bruteForceWindows(slices, TEST_SETTINGS, scenario.parents);
    const actual = runEngine(scenario, slices, TEST_SETTINGS);
    expect(sorted(actual)).toEqual(sorted(expected));
    // NOTE: a property that cannot hold vacuously: the scenarios produce every kind of row.
    if (seed === SEEDS[0]) {
      for (const table of Object.values(actual))
        expect((table as Map<string, string>).size).toBeGreaterThan(0);
    }
  });

  test.each(SEEDS.slice(0, 12))(
    'merging runs of empty slices differently gives the same tables (seed %i)',
    (seed) => {
      const scenario = randomScenario(seed, { events: 300 });
      const a = runEngine(scenario, sliceRecords(scenario, 500, seeded(1)), TEST_SETTINGS);
      const b = runEngine(scenario, sliceRecords(scenario, 500, seeded(2)), TEST_SETTINGS);
      expect(sorted(a)).toEqual(sorted(b));
    },
  );

  test.each(SEEDS.slice(0, 16))(
    'a restart after any checkpoint, or between the commit and the checkpoint, changes nothing (seed %i)',
    (seed) => {
      const scenario = randomScenario(seed, { events: 300 });
      const random = seeded(seed);
      const slices = sliceRecords(scenario, 500, random);
      const uninterrupted = runEngine(scenario, slices, TEST_SETTINGS);
      const restarts = Array.from({ length: 4 }, () => Math.floor(random() * (slices.length - 1)));
      expect(sorted(runEngine(scenario, slices, TEST_SETTINGS, { restarts }))).toEqual(sorted(uninterrupted));
      expect(
        sorted(runEngine(scenario, slices, TEST_SETTINGS, { restarts, beforeCheckpoint: true })),
      ).toEqual(sorted(uninterrupted));
    },
  );

  test.each(SEEDS.slice(0, 12))('a shard split part way loses and duplicates nothing (seed %i)', (seed) => {
    const scenario = randomScenario(seed, { events: 400, shards: 2, split: true });
    const random = seeded(seed);
    const slices = sliceRecords(scenario, 250, random);
    const expected = bruteForceWindows(slices, TEST_SETTINGS, scenario.parents);
    expect(sorted(runEngine(scenario, slices, TEST_SETTINGS))).toEqual(sorted(expected));
    const restarts = [Math.floor(slices.length / 2)];
    expect(sorted(runEngine(scenario, slices, TEST_SETTINGS, { restarts }))).toEqual(sorted(expected));
  });

  test('duplicates are recognised only while their minute is within the dedup horizon', () => {
    const settings = { ...TEST_SETTINGS, dedupMs: 3 * 60_000 };
    for (const seed of SEEDS.slice(0, 10)) {
      const scenario = randomScenario(seed, { events: 400, dupShare: 0.2 });
      const slices = sliceRecords(scenario, 1000, seeded(seed));
      const expected = sorted(bruteForceWindows(slices, settings, scenario.parents));
      expect(sorted(runEngine(scenario, slices, settings))).toEqual(expected);
      // A restart re-reads duplicates of events whose minute the frontier has left behind since.
      for (const at of [0.25, 0.5, 0.75]) {
        const restarts = [Math.floor(slices.length * at)];
        expect(sorted(runEngine(scenario, slices, settings, { restarts }))).toEqual(expected);
      }
    }
  });
});
