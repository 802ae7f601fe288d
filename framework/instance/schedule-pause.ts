import type { Definitions } from '../definitions/define-definitions.js';
import { didYouMean } from '../errors/did-you-mean.js';
import { ShopflowError } from '../errors/error-catalog.js';
import type { InstanceStore } from './instance-store.js';

/** Whether a schedule or sensor is paused, since when and by whom. */
export interface PauseState {
  paused: boolean;
  changedAt: string;
  /** Who paused or resumed it: `the CLI`, `the web page` … */
  by: string;
}

/** The checkpoint that holds the pause state of schedule or sensor `name`. */
export function pauseCheckpointName(name: string): string {
  return `automation.${name}.paused`;
}

/** The pause state of `name`, or null when it was never paused (it runs). */
export async function readPauseState(store: InstanceStore, name: string): Promise<PauseState | null> {
  const state = await store.getCheckpoint<PauseState>(pauseCheckpointName(name));
  return state && typeof state.paused === 'boolean' ? state : null;
}

/** Whether the daemon must leave `name` alone right now. */
export async function isPaused(store: InstanceStore, name: string): Promise<boolean> {
  return (await readPauseState(store, name))?.paused === true;
}

/**
 * Pauses or resumes a schedule or sensor of the definitions, in the instance store, so every daemon
 * of the instance sees it on its next tick: a paused schedule claims no tick (ticks due while it is
 * paused are not caught up after resuming: the time of resuming is a cursor); a paused sensor is not
 * evaluated (its cursor waits, so it picks up what arrived in between once resumed). An unknown
 * name is `SF_UNKNOWN_SCHEDULE` with the closest names. Returns whether anything changed and the
 * state now (null: never paused).
 *
 * @example
 * await setPaused({ store, definitions, name: 'nightly_pipeline', paused: true, by: 'the CLI', now: new Date() });
 */
export async function setPaused(options: {
  store: InstanceStore;
  definitions: Pick<Definitions, 'schedules' | 'sensors'>;
  name: string;
  paused: boolean;
  by: string;
  now: Date;
}): Promise<{ changed: boolean; state: PauseState | null }> {
  const names = [...options.definitions.schedules, ...options.definitions.sensors].map((d) => d.name);
  if (!names.includes(options.name)) {
    throw new ShopflowError('SF_UNKNOWN_SCHEDULE', `no schedule or sensor is named \`${options.name}\``, {
      hint:
        didYouMean(options.name, names) ??
        (names.length ? `known: ${names.join(', ')}` : 'these definitions declare no schedules or sensors'),
    });
  }
  const current = await readPauseState(options.store, options.name);
  // NOTE: pausing a paused one (or resuming a running one) changes nothing, so that resuming a
  // schedule that was never paused does not move its catch-up cursor.
  if ((current?.paused ?? false) === options.paused) return { changed: false, state: current };
  const state: PauseState = { paused: options.paused, changedAt: options.now.toISOString(), by: options.by };
  await options.store.setCheckpoint(pauseCheckpointName(options.name), state);
  return { changed: true, state };
}
