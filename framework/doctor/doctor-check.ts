import type { ShopflowRuntime } from '../runtime/shopflow-runtime.js';

/** `ok`: nothing wrong; `problem`: something is wrong and stays so; `repaired`: it was, and is fixed. */
export type DoctorStatus = 'ok' | 'problem' | 'repaired';

/** One thing `shopflow doctor` looked at and what it found. */
export interface DoctorFinding {
  /** The check's name, e.g. `lake files`. */
  check: string;
  /** What was looked at: a partition, a file, a run, a server. */
  subject: string;
  status: DoctorStatus;
  /** What was found (and, when repaired, what was done). */
  detail: string;
  /** For a problem that stays: the command or step that fixes it. */
  fix?: string;
}

export interface DoctorContext {
  runtime: ShopflowRuntime;
  /** The home folder being checked. */
  home: string;
  /**
   * Whether to repair what can be repaired (`--repair`); without it, nothing is changed beyond what
   * every command does on opening a home (runs whose process died are marked failed) and the
   * record of damaged partitions that plans read.
   */
  repair: boolean;
}

/**
 * A check `shopflow doctor` runs over a home. The framework brings the lake, the instance store,
 * temporary files and dead runs; a code location adds its own (e.g. its embedded servers) through
 * `defineDefinitions({ doctorChecks })`.
 *
 * @example
 * const check: DoctorCheck = { name: 'cache', async run({ repair }) { return [{ check: 'cache', subject: 'x', status: 'ok', detail: 'fine' }]; } };
 */
export interface DoctorCheck {
  name: string;
  run(context: DoctorContext): Promise<DoctorFinding[]>;
}
