import { randomUUID } from 'node:crypto';
import type { Alert, SensorDefinition, ShopflowRuntime, TickRecord } from '../framework/index.js';
import type { TickRequest } from './tick-launcher.js';

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Evaluates one sensor when its interval has passed and claims its run requests. Each request is
 * inserted under its key (unique per sensor) before its run exists, and only then is the evaluation
 * recorded with the new cursor; a daemon that died in between evaluates again from the old cursor,
 * gets the same keys, and claims nothing twice.
 *
 * @example
 * const ticker = new SensorTicker(sensor, runtime, alert);
 * const recorded = await ticker.evaluate(new Date()); // the evaluation and the requests it claimed
 */
export class SensorTicker {
  private last: { at: number; cursor: string | null } | null = null;

  constructor(
    readonly sensor: SensorDefinition,
    private readonly runtime: ShopflowRuntime,
    private readonly alert: (alert: Alert) => Promise<boolean>,
  ) {}

  reset(): void {
    this.last = null;
  }

  private async previous(): Promise<{ at: number; cursor: string | null } | null> {
    if (this.last) return this.last;
    const [tick] = await this.runtime.store.listTicks({
      name: this.sensor.name,
      kinds: ['sensor'],
      limit: 1,
    });
    this.last = tick ? { at: Date.parse(tick.scheduledTime), cursor: tick.cursor } : null;
    return this.last;
  }

  /** Evaluates the sensor if due; returns the rows recorded (requests to launch are `claimed`). */
  async evaluate(now: Date): Promise<TickRecord[]> {
    const { sensor, runtime } = this;
    if (!sensor.enabled) return [];
    const previous = await this.previous();
    if (previous && now.getTime() - previous.at < sensor.intervalSeconds * 1000) return [];
    const iso = now.toISOString();
    const evaluation = { name: sensor.name, kind: 'sensor' as const, tickKey: iso, scheduledTime: iso };
    const recorded: TickRecord[] = [];
    let cursor = previous?.cursor ?? null;
    try {
      const result = await sensor.evaluate({
        name: sensor.name,
        now,
        cursor,
        lastEvaluatedAt: previous ? new Date(previous.at) : null,
        store: runtime.store,
        log: runtime.log,
        resource: (definition) => runtime.resources.get(definition),
        alert: this.alert,
      });
      let requested = 0;
      for (const request of result.runRequests ?? []) {
        const stored: TickRequest = {
          selection: request.selection,
          partitions: request.partitions ?? null,
          ...(request.force?.length ? { force: [...request.force] } : {}),
          tags: { ...(request.tags ?? {}), sensor: sensor.name, runKey: request.key },
        };
        const claim = await runtime.store.claimTick({
          name: sensor.name,
          kind: 'request',
          tickKey: request.key,
          scheduledTime: iso,
          status: 'claimed',
          runId: randomUUID(),
          request: stored,
        });
        if (claim.claimed) {
          requested++;
          recorded.push(claim.tick);
        }
      }
      cursor = result.cursor === undefined ? cursor : result.cursor;
      const message =
        result.message ?? (requested ? `${requested} runs requested` : 'nothing new to request');
      const { tick } = await runtime.store.claimTick({
        ...evaluation,
        status: requested ? 'launched' : 'skipped',
        cursor,
        message: requested && result.message ? `${result.message}; ${requested} runs requested` : message,
      });
      recorded.unshift(tick);
    } catch (error) {
      const message = `evaluation failed: ${describe(error)}`;
      const { tick } = await runtime.store.claimTick({ ...evaluation, status: 'failed', cursor, message });
      recorded.unshift(tick);
    }
    this.last = { at: now.getTime(), cursor };
    return recorded;
  }
}
