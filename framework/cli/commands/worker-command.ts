import type { Command } from 'commander';
import { duckdbThreads } from '../../duckdb/duckdb-threads.js';
import { ShopflowError } from '../../errors/error-catalog.js';
import { openStepQueue } from '../../executor/queue/open-step-queue.js';
import { startStepWorker } from '../../executor/queue/step-worker.js';
import { queueDepthLine } from '../../metrics/emf-metrics.js';
import type { CommandRunner } from '../command-runner.js';
import { parseConcurrency } from './materialize-command.js';

/**
 * `shopflow worker [--concurrency N] [--queue NAME]`: takes steps of queued runs until SIGTERM or
 * SIGINT, then stops taking new ones and finishes the steps in hand before exiting.
 */
export function registerWorkerCommand(program: Command, run: CommandRunner) {
  program
    .command('worker')
    .description('take steps of runs started with `--executor queue` and materialize them')
    .option('--concurrency <n>', 'steps run at once by this worker (default: executor.concurrency)')
    .option(
      '--queue <name>',
      'queue to take steps from: executor.queue (the default) or a key of executor.queues',
    )
    .option('--json', 'machine-readable output')
    .action((options: { concurrency?: string; queue?: string; json?: boolean }) =>
      run(options, async (session) => {
        const config = session.config();
        const concurrency = parseConcurrency(options.concurrency) ?? config.executor.concurrency;
        const queueName = options.queue ?? config.executor.queue;
        const queues = [config.executor.queue, ...Object.keys(config.executor.queues)];
        if (!queues.includes(queueName)) {
          // NOTE: no run sends a step to a queue the configuration does not name: a worker on it would wait forever.
          throw new ShopflowError(
            'SF_BAD_USAGE',
            `--queue ${queueName} is not a queue of this configuration`,
            {
              hint: `the queues are ${queues.map((q) => `\`${q}\``).join(', ')} (\`executor.queue\` and the keys of \`executor.queues\`)`,
            },
          );
        }
        const runtime = await session.runtime();
        await runtime.engine.useThreads(duckdbThreads(config.executor, concurrency));
        // NOTE: a named queue's own limit; on the default queue, the global `executor.limit`.
        const limit =
          config.executor.queues[queueName]?.limit ??
          (queueName === config.executor.queue ? config.executor.limit : undefined);
        const queue = await openStepQueue(config.instance, undefined, 'worker');
        const { name } = await startStepWorker({
          queue,
          services: runtime.services,
          queueName,
          concurrency,
          heartbeatMs: config.executor.heartbeatSeconds * 1000,
          leaseMs: config.executor.leaseSeconds * 1000,
          limit,
          onStale: (error) => {
            // NOTE: a worker that cannot prove it holds its steps stops; another takes them over.
            session.io.stderr.write(
              `worker cannot renew its step leases for ${config.executor.leaseSeconds} s (${String(error)}); stopping\n`,
            );
            process.exit(1);
          },
        });
        // NOTE: the queue's depth as a CloudWatch metric, which the worker service scales on.
        const depthTimer = config.metrics.emf
          ? setInterval(() => {
              queue
                .depth(queueName)
                .then((depth) =>
                  session.io.stderr.write(`${queueDepthLine(queueName, depth, new Date().toISOString())}\n`),
                )
                .catch(() => {});
            }, config.metrics.queueDepthSeconds * 1000)
          : undefined;
        const ready = {
          type: 'worker_ready',
          worker: name,
          queue: queueName,
          concurrency,
          limit: limit ?? null,
        };
        if (session.json) session.jsonLine(ready);
        else session.out(`worker ${name} takes steps from queue ${queueName} (${concurrency} at once)`);
        await new Promise<void>((resolve) => {
          process.once('SIGTERM', resolve);
          process.once('SIGINT', resolve);
        });
        if (depthTimer) clearInterval(depthTimer);
        await queue.close(true);
        if (session.json) session.jsonLine({ type: 'worker_stopped', worker: name });
        else session.out(`worker ${name} stopped`);
        return 0;
      }),
    );
}
