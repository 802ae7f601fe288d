/**
 * Why an asset partition needs to be materialized. Every reason carries a sentence a person can read.
 */
export type StalenessReason =
  | { code: 'missing'; message: string }
  | { code: 'code_version_changed'; message: string; from: string; to: string }
  | { code: 'upstream_changed'; message: string; upstream: string }
  | { code: 'upstream_planned'; message: string; upstream: string }
  | { code: 'failed'; message: string; runId: string | null; error: string | null }
  | { code: 'overdue'; message: string; lagMinutes: number; maxLagMinutes: number }
  | { code: 'forced'; message: string }
  /** An input read from outside (a file, an object) holds other bytes than when it was read. */
  | { code: 'input_changed'; message: string; input: string }
  /**
   * A file of the partition's stored version is missing or differs from what was written: the
   * partition counts as missing ("missing — file corrupt").
   */
  | { code: 'file_corrupt'; message: string; file: string };

export type StalenessCode = StalenessReason['code'];

/** One sentence for a list of reasons, e.g. for a CLI table cell or a tooltip. */
export function describeReasons(reasons: readonly StalenessReason[]): string {
  return reasons.map((r) => r.message).join('; ');
}
