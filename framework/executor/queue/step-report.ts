import type { InstanceStore } from '../../instance/instance-store.js';
import type { StepDescriptor, StepOutcome } from '../step-services.js';

/** What a worker reports for one step of a run, kept in the instance store. */
export interface StepReport {
  outcome: StepOutcome;
  /** `hostname:pid` of the worker that ran the step. */
  worker: string;
  finishedAt: string;
}

/** The checkpoint holding the report of one step of one run. */
export function stepReportName(step: Pick<StepDescriptor, 'runId' | 'key'>): string {
  return `step-report/${step.runId}/${step.key}`;
}

export async function readStepReport(
  store: InstanceStore,
  step: Pick<StepDescriptor, 'runId' | 'key'>,
): Promise<StepReport | undefined> {
  return await store.getCheckpoint<StepReport>(stepReportName(step));
}

export async function writeStepReport(
  store: InstanceStore,
  step: StepDescriptor,
  report: StepReport,
): Promise<void> {
  await store.setCheckpoint(stepReportName(step), report);
}
