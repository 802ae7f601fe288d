import type { DefectRecord } from './defect-injection.js';

/**
 * A row as it goes into a raw file, with the defect injected into it (or, for `duplicate_id`, the
 * defect that this extra row is).
 */
export interface EmittedRow<T> {
  row: T;
  defect?: DefectRecord;
}
