import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { z } from 'zod';
import {
  compactLakePartition,
  defineAsset,
  defineDefinitions,
  lakePartitionDir,
  lakeTable,
  partitionFiles,
  sql,
} from '../../../framework/index.js';
import { openTestRuntime, tempHome } from '../../support/example-runtime.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

let batch = 0;
const events = defineAsset({
  key: 'events',
  description: 'micro-batches appended to one partition',
  schema: z.object({ batch: z.int(), n: z.int() }),
  io: lakeTable({ mode: 'append' }),
  materialize: () => sql`select ${++batch}::BIGINT as batch, range::BIGINT as n from range(100)`,
});

test('append mode adds a file per write; compaction merges them without changing the data', async () => {
  const { home, cleanup } = tempHome();
  const runtime = await openTestRuntime(defineDefinitions({ assets: [events] }), home);
  cleanups.push(cleanup, () => runtime.close());
  for (let i = 0; i < 5; i++) await runtime.execute(await runtime.plan({ force: true }));
  const dir = lakePartitionDir(join(home, 'lake'), 'events', null);
  expect(partitionFiles(dir)).toHaveLength(5);
  const [latest] = await runtime.store.listMaterializations({ assetKey: 'events', limit: 1 });
  expect(latest.rowCount).toBe(500);

  const session = await runtime.engine.session();
  cleanups.push(() => session.close());
  const checksum = async () =>
    (
      await session.query(
        `select count(*)::INTEGER as rows, sum(batch * 1000 + n)::BIGINT::VARCHAR as checksum from read_parquet([${partitionFiles(
          dir,
        )
          .map((f) => `'${f}'`)
          .join(',')}])`,
      )
    )[0];
  const before = await checksum();
  const result = await compactLakePartition(session, runtime.lake, {
    assetKey: 'events',
    partitionKey: null,
  });
  expect(result).toMatchObject({ filesBefore: 5, filesAfter: 1, rows: 500, dataVersion: latest.dataVersion });
  expect(partitionFiles(dir)).toHaveLength(1);
  expect(await checksum()).toEqual(before);
  expect(readdirSync(dir).filter((f) => f.endsWith('.parquet'))).toHaveLength(1);
  // The compacted data still counts as the same version: nothing downstream becomes stale.
  expect((await runtime.plan()).steps).toEqual([]);
  // Compacting a single file is a no-op.
  expect(
    await compactLakePartition(session, runtime.lake, { assetKey: 'events', partitionKey: null }),
  ).toMatchObject({ filesBefore: 1, filesAfter: 1 });
});
