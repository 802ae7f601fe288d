import type { Logger } from 'pino';
import type { EventRecord, InstanceStore } from '../instance/instance-store.js';
import type { ResourceDefinition } from './define-resource.js';

/** What an event hook receives besides the event. */
export interface EventHookContext {
  resource<T>(definition: ResourceDefinition<T>): Promise<T>;
  log: Logger;
  /** The instance store, e.g. to record a notification once (`recordAlertSent`) across processes. */
  store: InstanceStore;
}

/**
 * Code that reacts to run events in the process that emits them: notifications on failures and
 * failed blocking checks, metrics, audit logs. A hook that throws is logged and never fails the run.
 *
 * @example
 * defineEventHook({
 *   name: 'notify_failures',
 *   types: ['run_failure'],
 *   onEvent: async (event, { resource }) => (await resource(notifier)).send(event.message),
 * });
 */
export interface EventHook {
  readonly name: string;
  /** Event types the hook wants; all when absent. */
  readonly types?: readonly EventRecord['type'][];
  onEvent(event: EventRecord, context: EventHookContext): Promise<void> | void;
}

export function defineEventHook(hook: EventHook): EventHook {
  return Object.freeze({ ...hook });
}
