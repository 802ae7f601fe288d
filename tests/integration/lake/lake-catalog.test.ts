import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { hiveType } from '../../../framework/catalog/glue-table-input.js';
import { tempHome } from '../../support/example-runtime.js';
import { jsonLines, runShopflow, writeTestConfig } from '../../support/run-shopflow.js';
import { TestLakes } from '../../support/test-lakes.js';
import { testS3Client } from '../../support/test-s3.js';

// Partitions start three days before today: the CLI runs on the real clock.
const start = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
const lakes = new TestLakes();
const { home, cleanup } = tempHome('shopflow-catalog-');
const optionsFile = join(home, 'example-options.json');
let config = '';
let lake: Record<string, unknown>;
const cli = (args: string[], file = config) =>
  runShopflow(['--config', file, ...args], { EXAMPLE_OPTIONS_FILE: optionsFile });

beforeAll(async () => {
  writeFileSync(optionsFile, JSON.stringify({ start, piiNames: true }));
  lake = await lakes.section('s3', home);
  config = writeTestConfig(home, stringify({ lake }));
  const run = await cli(['materialize', '--json']);
  expect(run.code, run.stderr).toBe(0);
}, 120_000);
afterAll(async () => {
  await lakes.stop();
  cleanup();
});

async function objectText(key: string): Promise<string> {
  const s3 = await lakes.s3();
  const client = testS3Client(s3.endpoint);
  try {
    const found = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
    return await found.Body!.transformToString();
  } finally {
    client.destroy();
  }
}

describe('shopflow catalog', () => {
  test('lists every table with owners, personal-data columns, partitioning, freshness, rows and location', async () => {
    const listed = await cli(['catalog', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const entries = new Map(jsonLines(listed.stdout).map((e) => [e.key, e]));
    expect(entries.get('stations')).toMatchObject({
      storage: 'lake-table',
      location: `s3://lake/${lake.prefix}stations/`,
      partitioning: null,
      rows: 3,
      status: 'fresh',
    });
    expect(
      (entries.get('stations')!.columns as Array<{ name: string; classification: string }>).find(
        (c) => c.name === 'name',
      ),
    ).toMatchObject({
      classification: 'confidential',
      piiKind: 'other',
    });
    // 3 days of 3 stations × 24 readings.
    expect(entries.get('readings')).toMatchObject({
      location: `s3://lake/${lake.prefix}readings/partition={partition}/`,
      rows: 216,
      partitionsMaterialized: 3,
    });
    const table = await cli(['catalog']);
    expect(table.stdout).toMatch(
      /^TABLE\s+GROUP\s+OWNERS\s+PARTITIONS\s+ROWS\s+PERSONAL DATA\s+STATUS\s+LOCATION/,
    );
  });

  test('--glue gives a Glue table per lake table that reads symlink manifests; --symlinks writes them', async () => {
    const glue = await cli(['catalog', '--glue', '--database', 'shopflow_test']);
    expect(glue.code, glue.stderr).toBe(0);
    // This lake's commits keep no symlink manifests: the tables would read none until they are written.
    expect(glue.stderr).toContain('note: lake.symlinks is off');
    const tables = new Map(jsonLines(glue.stdout).map((t) => [(t.TableInput as { Name: string }).Name, t]));
    const readings = tables.get('readings') as { DatabaseName: string; TableInput: Record<string, any> };
    expect(readings.DatabaseName).toBe('shopflow_test');
    expect(readings.TableInput).toMatchObject({
      TableType: 'EXTERNAL_TABLE',
      PartitionKeys: [{ Name: 'partition', Type: 'string' }],
      Parameters: {
        classification: 'parquet',
        'projection.enabled': 'true',
        'projection.partition.type': 'date',
        'projection.partition.format': 'yyyy-MM-dd',
        'projection.partition.range': `${start},NOW`,
        'projection.partition.interval': '1',
        'projection.partition.interval.unit': 'DAYS',
        'storage.location.template': `s3://lake/${lake.prefix}_symlinks/readings/partition=\${partition}/`,
      },
      StorageDescriptor: {
        Location: `s3://lake/${lake.prefix}_symlinks/readings/`,
        InputFormat: 'org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat',
        SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
      },
    });
    expect(
      readings.TableInput.StorageDescriptor.Columns.map(
        (c: { Name: string; Type: string }) => `${c.Name} ${c.Type}`,
      ),
    ).toEqual(['station_id bigint', 'hour bigint', 'temperature double']);

    const symlinks = await cli(['catalog', '--symlinks']);
    expect(symlinks.code, symlinks.stderr).toBe(0);
    expect(symlinks.stdout).toMatch(/^wrote \d+ symlink manifests under s3:\/\/lake\//);
    const manifest = JSON.parse(
      await objectText(`${lake.prefix}readings/partition=${start}/_manifest.json`),
    ) as {
      files: Array<{ name: string }>;
    };
    expect(await objectText(`${lake.prefix}_symlinks/readings/partition=${start}/manifest`)).toBe(
      `${manifest.files.map((f) => `s3://lake/${lake.prefix}readings/partition=${start}/${f.name}`).join('\n')}\n`,
    );
    expect(await objectText(`${lake.prefix}_symlinks/stations/manifest`)).toMatch(
      /^s3:\/\/lake\/.*stations\/data-.*\.parquet\n$/,
    );
  });

  test('a local lake has nothing Glue can read: a clear usage error', async () => {
    const local = writeTestConfig(join(home, 'local'));
    const glue = await cli(['catalog', '--glue'], local);
    expect(glue.code).toBe(2);
    expect(glue.stderr).toContain('Glue tables read S3');
  });

  test('DuckDB types map to Hive types; an unknown one is named', () => {
    expect(
      [
        'BIGINT',
        'INTEGER',
        'SMALLINT',
        'TINYINT',
        'UINTEGER',
        'DOUBLE',
        'DECIMAL(18,2)',
        'VARCHAR',
        'DATE',
        'TIMESTAMPTZ',
        'TIMESTAMP WITH TIME ZONE',
        'BOOLEAN',
        'VARCHAR[]',
        'INTEGER[]',
      ].map(hiveType),
    ).toEqual([
      'bigint',
      'int',
      'smallint',
      'tinyint',
      'bigint',
      'double',
      'decimal(18,2)',
      'string',
      'date',
      'timestamp',
      'timestamp',
      'boolean',
      'array<string>',
      'array<int>',
    ]);
    expect(() => hiveType('UNION(a INT)')).toThrow(
      'DuckDB type `UNION(a INT)` has no Hive type for the catalog',
    );
  });
});
