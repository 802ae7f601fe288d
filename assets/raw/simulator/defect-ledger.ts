import { DEFECT_KINDS_BY_FILE, type DefectKind, type DefectRecord } from './defect-injection.js';
import type { ResolvedSimulationOptions } from './simulator-options.js';

/** Content of `_defects.json`. */
export interface DefectReport {
  seed: number;
  scale: number;
  defectRate: number;
  total: number;
  /** Exact counts, always complete: `counts[file][kind]`. */
  counts: Record<string, Partial<Record<DefectKind, number>>>;
  /** Every defect, file by file in file order, unless `truncated`. */
  defects: DefectRecord[];
  /** True when `defects` was cut at {@link DEFECT_LIST_CAP} entries (the counts stay exact). */
  truncated: boolean;
}

/** Most defects listed one by one in `_defects.json`. */
export const DEFECT_LIST_CAP = 10_000;

/**
 * Collects what the simulator injected: exact counts, and the list up to {@link DEFECT_LIST_CAP}.
 *
 * @example
 * const ledger = new DefectLedger();
 * ledger.record({ file: 'customers.csv', id: 3, kind: 'null_email', column: 'email' });
 * ledger.report(options).total; // 1
 */
export class DefectLedger {
  private readonly counts: Record<string, Partial<Record<DefectKind, number>>> = {};
  private readonly lists = new Map<string, DefectRecord[]>();
  private total = 0;

  constructor() {
    for (const [file, kinds] of Object.entries(DEFECT_KINDS_BY_FILE)) {
      this.counts[file] = Object.fromEntries(kinds.map((kind) => [kind, 0]));
      this.lists.set(file, []);
    }
  }

  /** Adds one injected defect. */
  record(defect: DefectRecord): void {
    const counts = this.counts[defect.file];
    counts[defect.kind] = (counts[defect.kind] ?? 0) + 1;
    this.total += 1;
    const list = this.lists.get(defect.file)!;
    if (list.length < DEFECT_LIST_CAP) list.push(defect);
  }

  /** The `_defects.json` content. */
  report(options: ResolvedSimulationOptions): DefectReport {
    const all = [...this.lists.values()].flat();
    return {
      seed: options.seed,
      scale: options.scale,
      defectRate: options.defectRate,
      total: this.total,
      counts: this.counts,
      defects: all.slice(0, DEFECT_LIST_CAP),
      truncated: this.total > DEFECT_LIST_CAP,
    };
  }
}
