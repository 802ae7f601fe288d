import type { InstanceConfig } from '../../config/config-schema.js';
import { ShopflowError } from '../../errors/error-catalog.js';
import { queueSchemaOf, StepQueue } from './step-queue.js';

/**
 * Opens the step queue on the instance database. The queue lives in PostgreSQL next to the
 * instance tables, so a SQLite instance (one machine) has none: it is a configuration error.
 */
export async function openStepQueue(
  instance: InstanceConfig,
  expireInSeconds?: number,
  /** Who opens it: a run handing its steps to workers (default) or `shopflow worker`. */
  purpose: 'run' | 'worker' = 'run',
): Promise<StepQueue> {
  if (instance.type !== 'postgres') {
    const setPostgres =
      'set `instance.type: postgres` with `instance.url` (e.g. from DATABASE_URL) in the configuration';
    throw new ShopflowError(
      'SF_CONFIG_INVALID',
      purpose === 'worker'
        ? 'workers take steps from a queue in the instance store on PostgreSQL (`instance.type: postgres`), found `instance.type: sqlite`'
        : 'the queue executor needs the instance store on PostgreSQL (`instance.type: postgres`), found `instance.type: sqlite`',
      {
        hint:
          purpose === 'worker'
            ? `${setPostgres}, the same as the processes that start the runs; with a SQLite instance, \`shopflow materialize\` runs the steps itself and needs no worker`
            : `${setPostgres}, or run without \`--executor queue\``,
      },
    );
  }
  return await StepQueue.open({
    url: instance.url,
    schema: queueSchemaOf(instance.schema),
    expireInSeconds,
  });
}
