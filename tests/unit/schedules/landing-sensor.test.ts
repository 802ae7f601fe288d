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

describe('landing sensor re-ingesting re-delivered objects', () => {
  const redeliveries = mkdtempSync(join(tmpdir(), 'shopflow-redelivery-'));
  afterAll(() => rmSync(redeliveries, { recursive: true, force: true }));
  const landedByUs = new Set<string>();
  const deliver = (key: string, at: string, ours: boolean) => {
    const file = join(redeliveries, ...key.split('/'));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, ours ? 'id\n1\n' : 'id\n2\n');
    utimesSync(file, new Date(at), new Date(at));
    if (ours) landedByUs.add(key);
    else landedByUs.delete(key);
  };
  const redeliverySensor = landingSensor({
    name: 'redeliveries',
    prefix: 'raw/',
    list: localFolderLister(redeliveries),
    selection: 'bronze_customers+,bronze_transactions+',
    accept: (object) => !landedByUs.has(object.key),
    notAccepted: 'landed by the pipeline itself',
    readBy: (key) => `bronze_${key.split('/')[4]}`,
    reopen: 'onward',
  });
  const run = async (cursor: string | null, now: string) =>
    await redeliverySensor.evaluate({
      name: 'redeliveries',
      now: new Date(now),
      cursor,
      log: silentLog,
    } as unknown as SensorContext);

  test('ignores what the pipeline landed, forces the reader of a re-delivered object and re-opens the days after it', async () => {
    deliver('raw/year=2024/month=01/day=15/customers/customers.csv', '2024-01-16T01:00:00Z', true);
    deliver('raw/year=2024/month=01/day=16/transactions/transactions.csv', '2024-01-17T01:00:00Z', true);
    const ours = await run(null, '2024-01-17T02:00:00Z');
    expect(ours.runRequests ?? []).toEqual([]);
    expect(ours.message).toBe('2 new objects; 2 landed by the pipeline itself ignored');

    deliver('raw/year=2024/month=01/day=15/customers/customers.csv', '2024-01-18T09:00:00Z', false);
    deliver('raw/year=2024/month=01/day=16/transactions/transactions.csv', '2024-01-18T09:00:00Z', false);
    const redelivered = await run(ours.cursor!, '2024-01-18T10:00:00Z');
    expect(redelivered.runRequests).toHaveLength(1);
    expect(redelivered.runRequests![0]).toMatchObject({
      selection: 'bronze_customers+,bronze_transactions+',
      partitions: { from: '2024-01-15', to: '2024-01-18' },
      force: ['bronze_customers[2024-01-15]', 'bronze_transactions[2024-01-16]'],
    });
    expect((await run(redelivered.cursor!, '2024-01-18T10:01:00Z')).runRequests ?? []).toEqual([]);
  });
});
