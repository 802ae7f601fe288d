import { runStep } from './run-step.js';
import type { StepDescriptor, StepOutcome, StepServices } from './step-services.js';

/**
 * Hands a step to whatever runs it. The in-process launcher is the default; other launchers (worker
 * processes, containers) receive the same plain-data descriptor.
 */
export interface StepLauncher {
  launch(step: StepDescriptor): Promise<StepOutcome>;
}

/**
 * Runs steps in this process; DuckDB's threads follow how many run at once (see
 * `DuckDbEngine.shareAmong`).
 */
export function inProcessLauncher(
  services: StepServices,
  run: (step: StepDescriptor, services: StepServices) => Promise<StepOutcome> = runStep,
): StepLauncher {
  let running = 0;
  const share = async () => {
    // NOTE: a thread count is tuning: a database that refuses the change must not fail a step.
    await services.engine.shareAmong(running).catch(() => {});
  };
  return {
    launch: async (step) => {
      running++;
      await share();
      try {
        return await run(step, services);
      } finally {
        running--;
        if (running > 0) await share();
      }
    },
  };
}
