import { describe, expect, test } from 'vitest';
import { unreferencedObjects } from '../../../framework/io/lake-storage/s3/s3-partition-manifest.js';

const HOUR = 3_600_000;
const NOW = Date.parse('2024-06-01T12:00:00Z');
const file = (name: string) => ({ name, sha256: 'a'.repeat(64), size: 1 });
const object = (name: string, hoursAgo: number) => ({ name, lastModified: new Date(NOW - hoursAgo * HOUR) });

describe('which objects of an S3 partition folder may go', () => {
  const manifest = {
    files: [file('data-new.parquet')],
    quarantine: file('quarantine-new.parquet'),
    retired: [
      { name: 'data-replaced-now.parquet', at: new Date(NOW - 0.1 * HOUR).toISOString() },
      { name: 'data-replaced-long-ago.parquet', at: new Date(NOW - 5 * HOUR).toISOString() },
    ],
  };
  const objects = [
    object('_manifest.json', 0),
    object('data-new.parquet', 30),
    object('quarantine-new.parquet', 30),
    // Written 30 hours ago but current until a few minutes ago: its readers are still within grace.
    object('data-replaced-now.parquet', 30),
    object('data-replaced-long-ago.parquet', 30),
    // Never listed by any version: uploads of writes that never committed.
    object('data-failed-long-ago.parquet', 3),
    object('data-in-progress.parquet', 0.01),
  ];

  test('listed files and the manifest always stay; the rest go once the grace period has passed', () => {
    expect(unreferencedObjects(objects, manifest, NOW - HOUR).map((o) => o.name)).toEqual([
      'data-replaced-long-ago.parquet',
      'data-failed-long-ago.parquet',
    ]);
  });

  test('a sweep with no grace removes everything no version lists', () => {
    expect(unreferencedObjects(objects, manifest, NOW).map((o) => o.name)).toEqual([
      'data-replaced-now.parquet',
      'data-replaced-long-ago.parquet',
      'data-failed-long-ago.parquet',
      'data-in-progress.parquet',
    ]);
  });

  test('without a manifest (the first write never committed) only old uploads go', () => {
    expect(unreferencedObjects(objects.slice(1), undefined, NOW - HOUR).map((o) => o.name)).toEqual([
      'data-new.parquet',
      'quarantine-new.parquet',
      'data-replaced-now.parquet',
      'data-replaced-long-ago.parquet',
      'data-failed-long-ago.parquet',
    ]);
  });
});
