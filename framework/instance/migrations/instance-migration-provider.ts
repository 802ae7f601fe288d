import type { Migration, MigrationProvider } from 'kysely';
import type { InstanceStore } from '../instance-store.js';
import { initial } from './0001-initial.js';
import { schedules } from './0002-schedules.js';
import { leanLocks } from './0003-lean-locks.js';

/**
 * Hands Kysely's `Migrator` the instance store's migrations, defined in code so they ship inside
 * the build. Names sort in the order they apply; a new migration gets the next number.
 *
 * @example
 * new Migrator({ db, provider: new InstanceMigrationProvider('postgres') });
 */
export class InstanceMigrationProvider implements MigrationProvider {
  readonly #backend: InstanceStore['backend'];

  constructor(backend: InstanceStore['backend']) {
    this.#backend = backend;
  }

  async getMigrations(): Promise<Record<string, Migration>> {
    return {
      '0001_initial': initial(this.#backend),
      '0002_schedules': schedules(this.#backend),
      '0003_lean_locks': leanLocks(this.#backend),
    };
  }
}
