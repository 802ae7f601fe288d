import type { TickRecord } from '../../framework/index.js';
import type { DaemonEvent } from '../daemon.js';
import { describeLeaseHolder } from '../daemon-lease.js';

function tickLabel(tick: TickRecord): string {
  return tick.kind === 'request' ? `${tick.name}[${tick.tickKey}]` : `${tick.name}@${tick.tickKey}`;
}

function short(runId: string | null): string {
  return runId ? runId.slice(0, 8) : '—';
}

function tickJson(tick: TickRecord) {
  return {
    name: tick.name,
    kind: tick.kind,
    tickKey: tick.tickKey,
    scheduledTime: tick.scheduledTime,
    status: tick.status,
    runId: tick.runId,
    runStatus: tick.runStatus,
    attempt: tick.attempt,
    message: tick.message,
  };
}

/**
 * A daemon event as a JSON object (for `--json` and non-terminal output) and as one readable line.
 *
 * @example
 * const { json, text } = daemonEventLine({ type: 'reaped', runId });
 */
export function daemonEventLine(event: DaemonEvent): { json: Record<string, unknown>; text: string } {
  switch (event.type) {
    case 'lease':
      return {
        json: { type: 'lease', state: event.state, holder: event.holder },
        text:
          event.state === 'acquired'
            ? `leading this instance (pid ${process.pid})`
            : event.state === 'waiting'
              ? `another daemon leads this instance: ${event.holder ? describeLeaseHolder(event.holder) : 'unknown'}; waiting for it to stop (--wait)`
              : `lost the lease to pid ${event.holder?.pid} on ${event.holder?.hostname}; waiting`,
      };
    case 'tick': {
      const { tick } = event;
      const what =
        tick.kind === 'sensor'
          ? `sensor ${tick.name}: ${tick.status}${tick.message ? ` — ${tick.message}` : ''}`
          : `${tick.kind === 'request' ? 'run request' : 'tick'} ${tickLabel(tick)}: ${tick.status}${tick.status === 'claimed' ? ` → run ${short(tick.runId)}` : ''}${tick.message ? ` — ${tick.message}` : ''}`;
      return { json: { type: 'tick', ...tickJson(tick) }, text: what };
    }
    case 'recovered':
      return {
        json: { type: 'recovered', ...tickJson(event.tick) },
        text: `recovered ${tickLabel(event.tick)} claimed by an earlier daemon: ${event.tick.status === 'launched' ? `its run ${short(event.tick.runId)} exists` : `launching run ${short(event.tick.runId)}`}`,
      };
    case 'launched':
      return {
        json: { type: 'launched', ...tickJson(event.tick), runId: event.runId },
        text: `run ${short(event.runId)} started for ${tickLabel(event.tick)}`,
      };
    case 'finished': {
      const { outcome } = event;
      const text =
        outcome.status === 'finished'
          ? `run ${short(outcome.runId)} of ${tickLabel(event.tick)} finished: ${outcome.runStatus}`
          : `${tickLabel(event.tick)} ${outcome.status}: ${outcome.message}`;
      return { json: { type: 'finished', ...tickJson(event.tick), outcome }, text };
    }
    case 'settled':
      return {
        json: { type: 'settled', ...tickJson(event.tick) },
        text: `run ${short(event.tick.runId)} of ${tickLabel(event.tick)}: ${event.tick.runStatus}${event.tick.runStatus === 'failed' && event.tick.message ? ` — ${event.tick.message}` : ''}`,
      };
    case 'retry':
      return {
        json: { type: 'retry', ...tickJson(event.tick) },
        text: `retrying ${tickLabel(event.tick)} as run ${short(event.tick.runId)}: ${event.tick.message}`,
      };
    case 'reaped':
      return {
        json: { type: 'reaped', runId: event.runId },
        text: `run ${short(event.runId)} marked failed: its worker died or stopped heartbeating`,
      };
    case 'alert':
      return {
        json: { type: 'alert', alert: event.alert },
        text: `alert ${event.alert.kind}: ${event.alert.title}`,
      };
    case 'error':
      return { json: { type: 'error', message: event.message }, text: `error: ${event.message}` };
  }
}
