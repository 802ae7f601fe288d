import { z } from 'zod';

const PARTITIONS_SHAPE = 'expected {"keys": ["2024-01-15", …]} or {"from": "2024-01-01", "to": "2024-01-31"}';

/** `partitions` of a plan or launch request: explicit keys or an inclusive range. */
export const PartitionFilterSchema = z.union(
  [
    z.strictObject({ keys: z.array(z.string().min(1).max(100)).min(1).max(10_000) }),
    z.strictObject({ from: z.string().min(1).max(100), to: z.string().min(1).max(100) }),
  ],
  { error: PARTITIONS_SHAPE },
);

/** Body of `POST /api/plan`. */
export const PlanRequestSchema = z.strictObject({
  selection: z.string().max(5_000).optional(),
  partitions: PartitionFilterSchema.nullable().optional(),
  force: z.boolean().optional(),
});

/** Body of `POST /api/runs`. */
export const LaunchRequestSchema = PlanRequestSchema.extend({
  concurrency: z.int().min(1).max(64).optional(),
});
