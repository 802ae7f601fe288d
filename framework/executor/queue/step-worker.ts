import { HOSTNAME } from '../process-liveness.js';
import { runStep } from '../run-step.js';
import type { StepServices } from '../step-services.js';
import type { StepQueue } from './step-queue.js';
import { readStepReport, writeStepReport } from './step-report.js';

export interface StepWorkerOptions {
  queue: StepQueue;
  services: StepServices;
  queueName: string;
  concurrency: number;
  /** Defaults to `hostname:pid`. */
  name?: string;
}

/**
 * Takes steps from a queue and runs them with the same code path as the in-process executor
 * (partition lock, checks, lineage, events, data versions), then reports the outcome in the
 * instance store. A step already reported for its run is not run again, so a second delivery of
 * the same job writes nothing.
 */
export async function startStepWorker(options: StepWorkerOptions): Promise<{ name: string }> {
  const { services } = options;
  const name = options.name ?? `${HOSTNAME}:${process.pid}`;
  await options.queue.work(options.queueName, options.concurrency, async (step) => {
    if (await readStepReport(services.store, step)) return;
    await services.emit({
      runId: step.runId,
      type: 'log',
      assetKey: step.assetKey,
      partitionKey: step.partitionKey,
      message: `${step.key} taken by worker ${name}`,
      data: { worker: name, queue: options.queueName },
    });
    const outcome = await runStep(step, services);
    await writeStepReport(services.store, step, {
      outcome,
      worker: name,
      finishedAt: services.now().toISOString(),
    });
  });
  return { name };
}
