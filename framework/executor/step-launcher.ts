import { runStep } from './run-step.js';
import type { StepDescriptor, StepOutcome, StepServices } from './step-services.js';

/**
 * Hands a step to whatever runs it. The in-process launcher is the default; other launchers (worker
 * processes, containers) receive the same plain-data descriptor.
 */
export interface StepLauncher {
  launch(step: StepDescriptor): Promise<StepOutcome>;
}

/** Runs steps in this process. */
export function inProcessLauncher(services: StepServices): StepLauncher {
  return { launch: (step) => runStep(step, services) };
}
