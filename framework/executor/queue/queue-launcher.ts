import type { InstanceStore } from '../../instance/instance-store.js';
import type { StepLauncher } from '../step-launcher.js';
import type { StepQueue } from './step-queue.js';
import { readStepReport } from './step-report.js';

export interface QueueLauncherOptions {
  queue: StepQueue;
  store: InstanceStore;
  /** Queue the steps go to. */
  queueName: string;
  /** How often the instance store is asked for the step's report (default 100 ms). */
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Puts each step on the job queue and waits for a worker's report in the instance store. The step
 * travels as plain data; whichever worker takes it runs the same `runStep` as the in-process launcher.
 */
export function queueLauncher(options: QueueLauncherOptions): StepLauncher {
  const pollMs = options.pollMs ?? 100;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return {
    async launch(step) {
      await options.queue.send(options.queueName, step);
      for (;;) {
        const report = await readStepReport(options.store, step);
        if (report) return report.outcome;
        await sleep(pollMs);
      }
    },
  };
}
