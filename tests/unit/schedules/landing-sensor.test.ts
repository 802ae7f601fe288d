import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { SensorContext, SensorResult } from '../../../framework/index.js';
import { landingPartitionOf, landingSensor, localFolderLister } from '../../../schedules/index.js';
import { silentLog } from '../../support/example-runtime.js';

const root = mkdtempSync(join(tmpdir(), 'shopflow-landing-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function put(key: string, at: string) {
  const file = join(root, ...key.split('/'));
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, 'id\n1\n');
  const time = new Date(at);
  utimesSync(file, time, time);
}

const sensor = landingSensor({
  name: 'arrivals',
  prefix: 'raw/',
  list: localFolderLister(root),
  selection: 'readings+',
});

async function evaluate(cursor: string | null): Promise<SensorResult> {
  const context = { name: 'arrivals', now: new Date(), cursor, log: silentLog } as unknown as SensorContext;
  return await sensor.evaluate(context);
}

describe('landing sensor on a local folder', () => {
  test('finds the day of a landing key', () => {
    expect(landingPartitionOf('raw/year=2024/month=01/day=15/customers/customers.csv')).toBe('2024-01-15');
    expect(landingPartitionOf('exports/2024-02-03/orders.csv')).toBe('2024-02-03');
    expect(landingPartitionOf('exports/dt=2024-02-03/orders.csv')).toBe('2024-02-03');
    expect(landingPartitionOf('raw/readme.txt')).toBeNull();
  });

  test('requests one run for the partitions of new objects, once', async () => {
    put('raw/year=2024/month=01/day=15/customers/customers.csv', '2024-01-16T01:00:00Z');
    put('raw/year=2024/month=01/day=15/transactions/transactions.csv', '2024-01-16T01:00:00Z');
    put('raw/year=2024/month=01/day=16/customers/customers.csv', '2024-01-17T01:00:00Z');
    put('raw/readme.txt', '2024-01-17T01:00:00Z');
    put('raw/.hidden.tmp', '2024-01-17T01:00:00Z');
    put(
      '_versions/raw/year=2024/month=01/day=15/customers/customers.csv.versions/v1',
      '2024-01-17T01:00:00Z',
    );
    put('other/year=2024/month=01/day=20/x.csv', '2024-01-17T01:00:00Z');

    const first = await evaluate(null);
    expect(first.runRequests).toHaveLength(1);
    expect(first.runRequests![0]).toMatchObject({
      selection: 'readings+',
      partitions: { keys: ['2024-01-15', '2024-01-16'] },
      tags: { newObjects: '4' },
    });
    expect(first.message).toBe('4 new objects for 2 partitions; 1 without a partition ignored');
    expect(await evaluate(null)).toMatchObject({ runRequests: [{ key: first.runRequests![0].key }] });

    const again = await evaluate(first.cursor!);
    expect(again.runRequests ?? []).toEqual([]);
    expect(again.cursor).toBe(first.cursor);

    // NOTE: same modification time as the cursor, but a key it has not seen.
    put('raw/year=2024/month=01/day=17/customers/customers.csv', '2024-01-17T01:00:00Z');
    const sameSecond = await evaluate(again.cursor!);
    expect(sameSecond.runRequests?.[0].partitions).toEqual({ keys: ['2024-01-17'] });

    put('raw/year=2024/month=01/day=15/customers/customers.csv', '2024-01-18T09:00:00Z');
    const replaced = await evaluate(sameSecond.cursor!);
    expect(replaced.runRequests?.[0].partitions).toEqual({ keys: ['2024-01-15'] });
    expect(replaced.runRequests?.[0].key).not.toBe(first.runRequests![0].key);
    expect((await evaluate(replaced.cursor!)).runRequests ?? []).toEqual([]);
  });
});
