import { declaredResources } from '../definitions/define-asset.js';
import { runStep } from './run-step.js';
import type { StepDescriptor, StepOutcome, StepServices } from './step-services.js';

/**
 * Hands a step to whatever runs it. The in-process launcher is the default; other launchers (worker
 * processes, containers) receive the same plain-data descriptor.
 */
export interface StepLauncher {
  launch(step: StepDescriptor): Promise<StepOutcome>;
  /**
   * Told once, when a run starts, which assets its steps materialize, so that what they will need
   * can start before the first of them does. Must not throw or wait.
   */
  prepare?(assetKeys: ReadonlySet<string>): void;
  /**
   * Told once, when a cancel request of the run is seen (`by`: who asked). A launcher whose steps
   * wait before they start (a queue) withdraws those not started yet: their `launch` resolves with
   * a `skipped` outcome marked `canceled`. Steps already started finish. Must not throw or wait.
   */
  cancel?(by: string): void;
}

/**
 * Runs steps in this process; DuckDB's threads follow how many run at once (see
 * `DuckDbEngine.shareAmong`). When a run starts it begins creating the resources its assets
 * declare (see `declaredResources`), in the background: a creation that fails is forgotten by the
 * cache, and the first step that needs the resource tries again and fails with the error.
 */
export function inProcessLauncher(
  services: StepServices,
  run: (step: StepDescriptor, services: StepServices) => Promise<StepOutcome> = runStep,
): StepLauncher {
  let running = 0;
  const share = () => services.engine.shareAmong(running);
  return {
    prepare: (assetKeys) => {
      const started = new Set<string>();
      for (const assetKey of assetKeys) {
        if (!services.graph.has(assetKey)) continue;
        for (const resource of declaredResources(services.graph.get(assetKey))) {
          if (started.has(resource.name)) continue;
          started.add(resource.name);
          services.resources.get(resource).catch((error: unknown) => {
            services.log.debug(
              { resource: resource.name, err: error },
              'starting a resource ahead of its steps failed; the first step that needs it tries again',
            );
          });
        }
      }
    },
    launch: async (step) => {
      running++;
      share();
      try {
        return await run(step, services);
      } finally {
        running--;
        if (running > 0) share();
      }
    },
  };
}
