import type { Plan, RunRecord, RunStatus } from '../../framework/index.js';

/** A run as the runs list shows it. */
export interface RunSummary {
  id: string;
  status: RunStatus;
  selection: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** From start to finish, or to now while running. */
  durationMs: number | null;
  steps: number;
  error: string | null;
  parentRunId: string | null;
  tags: Record<string, string>;
}

/**
 * The list view of a run (without its plan).
 *
 * @example
 * (await store.listRuns({ limit: 20 })).map((run) => summarizeRun(run))
 */
export function summarizeRun(run: RunRecord, now: Date = new Date()): RunSummary {
  const start = run.startedAt ? Date.parse(run.startedAt) : null;
  const end = run.finishedAt ? Date.parse(run.finishedAt) : run.status === 'running' ? now.getTime() : null;
  return {
    id: run.id,
    status: run.status,
    selection: run.selection,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    durationMs: start !== null && end !== null ? Math.max(0, end - start) : null,
    steps: (run.plan as Plan | null)?.steps?.length ?? 0,
    error: run.error,
    parentRunId: run.parentRunId,
    tags: run.tags,
  };
}
