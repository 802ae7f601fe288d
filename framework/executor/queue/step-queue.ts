import type { PgBoss } from 'pg-boss';
import type { StepDescriptor } from '../step-services.js';

/** PostgreSQL schema of the job tables of an instance in schema `instanceSchema` (default `shopflow_queue`). */
export function queueSchemaOf(instanceSchema: string | undefined): string {
  return instanceSchema ? `${instanceSchema}_queue` : 'shopflow_queue';
}

/** Queue a step goes to unless it names another. */
export const DEFAULT_QUEUE = 'steps';

export interface StepQueueOptions {
  /** Connection string of the instance PostgreSQL. */
  url: string;
  /** PostgreSQL schema of the job tables, apart from the instance tables (see `queueSchemaOf`). */
  schema: string;
  /** Seconds a taken step may stay active before the queue hands it to another worker (default 900). */
  expireInSeconds?: number;
  /** Seconds between polls when no notification arrives (default 0.5). */
  pollSeconds?: number;
}

/**
 * The transport between the process that plans a run and the workers: a pg-boss queue on the
 * instance database. The queue delivers at least once; who ran a step and what it produced live
 * in the instance store, so a second delivery finds the step already reported and does nothing.
 */
export class StepQueue {
  private constructor(
    private readonly boss: PgBoss,
    private readonly options: StepQueueOptions,
    private readonly created = new Set<string>(),
  ) {}

  static async open(options: StepQueueOptions): Promise<StepQueue> {
    // NOTE: loaded here, so commands that never queue a step never load pg-boss (nor pg).
    const { PgBoss } = await import('pg-boss');
    // NOTE: LISTEN/NOTIFY wakes an idle worker the moment a step is sent; polling stays as the backstop.
    const boss = new PgBoss({ connectionString: options.url, schema: options.schema, useListenNotify: true });
    // NOTE: pg-boss reports pool and maintenance errors here; without a listener they would throw.
    boss.on('error', () => {});
    await boss.start();
    return new StepQueue(boss, options);
  }

  private async ensure(name: string): Promise<void> {
    if (this.created.has(name)) return;
    await this.boss.createQueue(name, {
      expireInSeconds: this.options.expireInSeconds ?? 900,
      retryLimit: 5,
      notify: true,
    });
    this.created.add(name);
  }

  /**
   * Enqueues a step; `attempt` counts the sends of one step of one run (after a lost worker).
   * Returns the job's id (null when that attempt was already on the queue).
   */
  async send(name: string, step: StepDescriptor, attempt = 1): Promise<string | null> {
    await this.ensure(name);
    return await this.boss.send(name, { ...step }, { singletonKey: `${step.runId}/${step.key}/${attempt}` });
  }

  /**
   * Withdraws a job no worker has taken yet (a step of a canceled run); a job already taken or
   * finished is left as it is (the worker that holds it sees the cancel itself).
   */
  async withdraw(name: string, id: string): Promise<void> {
    await this.boss.cancel(name, id);
  }

  /** Whether a worker has taken the job off the queue (it is `active`) without finishing it. */
  async isTaken(name: string, id: string): Promise<boolean> {
    return (await this.boss.getJobById(name, id))?.state === 'active';
  }

  /** Takes steps from `name`, up to `concurrency` at once in this process. */
  async work(
    name: string,
    concurrency: number,
    handler: (step: StepDescriptor) => Promise<void>,
  ): Promise<void> {
    await this.ensure(name);
    await this.boss.work<StepDescriptor>(
      name,
      {
        batchSize: 1,
        localConcurrency: concurrency,
        pollingIntervalSeconds: this.options.pollSeconds ?? 0.5,
      },
      async ([job]) => {
        if (job) await handler(job.data);
      },
    );
  }

  /** Steps of `name` waiting for a worker (`ready`) and being worked on (`active`). */
  async depth(name: string): Promise<{ ready: number; active: number }> {
    await this.ensure(name);
    const queue = await this.boss.getQueue(name);
    return { ready: queue?.readyCount ?? 0, active: queue?.activeCount ?? 0 };
  }

  /** Stops taking steps; with `graceful`, waits for the steps in hand to finish. */
  async close(graceful = true): Promise<void> {
    await this.boss.stop({ graceful, close: true, timeout: 60_000 });
  }
}
