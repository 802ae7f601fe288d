import {
  type SensorContext,
  type SensorDefinition,
  type SensorResult,
  ShopflowError,
} from '../framework/index.js';
import { validateRetry, validateScheduleName } from './define-schedule.js';

/** What `defineSensor` accepts. */
export interface SensorSpec {
  name: string;
  description?: string;
  /** How often the daemon evaluates the sensor (at most as often as the daemon loops). */
  intervalSeconds: number;
  enabled?: boolean;
  /** How often a failed run it requested is retried. */
  retry?: { maxRetries: number };
  evaluate(context: SensorContext): Promise<SensorResult> | SensorResult;
}

/**
 * Declares a sensor: the daemon calls `evaluate` every `intervalSeconds` with the cursor the
 * previous evaluation returned. Each run request's `key` is claimed once in the instance store,
 * so a request repeated after a restart (the cursor was not saved yet) never launches a second run.
 *
 * @example
 * export const orders = defineSensor({
 *   name: 'new_orders',
 *   intervalSeconds: 60,
 *   async evaluate({ cursor }) {
 *     const days = await newOrderDays(cursor);
 *     return {
 *       runRequests: days.map((day) => ({ key: day, selection: 'raw_transactions+', partitions: { keys: [day] } })),
 *       cursor: days.at(-1) ?? cursor,
 *     };
 *   },
 * });
 */
export function defineSensor(spec: SensorSpec): SensorDefinition {
  validateScheduleName(spec.name, 'sensor');
  const source = `sensor \`${spec.name}\``;
  if (!(typeof spec.intervalSeconds === 'number' && spec.intervalSeconds > 0)) {
    throw new ShopflowError(
      'SF_INVALID_SCHEDULE',
      `${source} has intervalSeconds ${spec.intervalSeconds}, which is not a positive number`,
      { hint: 'e.g. `intervalSeconds: 30`' },
    );
  }
  if (typeof spec.evaluate !== 'function') {
    throw new ShopflowError('SF_INVALID_SCHEDULE', `${source} has no evaluate function`, {
      hint: 'add `evaluate(context) { return { runRequests: [], cursor } }`',
    });
  }
  validateRetry(spec.retry, source);
  return Object.freeze({
    kind: 'sensor' as const,
    name: spec.name,
    description: spec.description ?? '',
    intervalSeconds: spec.intervalSeconds,
    enabled: spec.enabled ?? true,
    retry: Object.freeze({ maxRetries: spec.retry?.maxRetries ?? 0 }),
    evaluate: spec.evaluate,
  });
}
