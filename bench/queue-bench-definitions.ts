// Definitions for bench/queue-bench.ts, loaded by the bench and by its `shopflow worker` processes.
import { z } from 'zod';
import {
  daily,
  defineAsset,
  defineDefinitions,
  materialized,
  sql,
  staticPartitions,
} from '../framework/index.js';

const keys = Array.from({ length: 1000 }, (_, i) => `p${String(i).padStart(4, '0')}`);

const noopSteps = defineAsset({
  key: 'noop_steps',
  description: 'Writes nothing: measures what a step costs besides its own work.',
  schema: z.object({ x: z.int() }),
  partitions: staticPartitions(keys),
  materialize: () => materialized({ rowCount: 0 }),
});

const smallDaily = defineAsset({
  key: 'small_daily',
  description: 'Twenty-four rows per day, written as Parquet.',
  schema: z.object({ hour: z.int(), value: z.number() }),
  partitions: daily({ start: '2023-01-01', timezone: 'UTC' }),
  materialize: ({ partitionKey }) =>
    sql`select range::BIGINT as hour, (range * ${Number(partitionKey!.slice(8, 10))})::DOUBLE as value from range(0, 24)`,
});

export default defineDefinitions({ assets: [noopSteps, smallDaily] });
