import { RecordWriter, type RecordWriterOptions } from '../../resources/stream/record-writer.js';
import type { PutOutcome, StreamTransport } from '../../resources/stream/stream-transport.js';
import type { ClickEventSource } from './clickstream-sources.js';
import { ClientBehaviour, type ClientBehaviourOptions, type OutgoingRecord } from './client-behaviour.js';

/** What a producer run did. */
export interface ProduceReport {
  /** Events taken from the source. */
  events: number;
  /** Records written (events, duplicates, malformed). */
  written: number;
  /** Records that still failed after the last retry. */
  failed: number;
  /** Entries sent again after a failure of their own. */
  resent: number;
  requests: number;
  duplicates: number;
  late: number;
  disordered: number;
  malformed: number;
  seconds: number;
}

export interface ProducerOptions {
  transport: StreamTransport;
  source: ClickEventSource;
  /** Events per second. */
  rate: number;
  /** Stop after this long (ms); default: when the source is exhausted. */
  durationMs?: number;
  behaviour: ClientBehaviourOptions;
  writer?: RecordWriterOptions;
  /** Tick length, ms (default 100). */
  tickMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Called after every PutRecords batch with the outcomes and the time it returned. */
  onWritten?: (outcomes: PutOutcome[], at: number) => void;
  /** Called about once a second with the report so far. */
  onProgress?: (report: ProduceReport) => void;
  /** Stops the run early when it returns true. */
  stopped?: () => boolean;
}

/**
 * Sends clickstream events at a steady rate with `PutRecords` (partition key = session id): every
 * tick the events due so far are drawn from the source, passed through the client behaviour
 * (disorder, late arrival, duplicates, malformed records) and written; failed entries are resent
 * on their own with backoff (see `RecordWriter`). Held-back records are sent at the end.
 *
 * @example
 * const report = await produceClickstream({ transport, source: new LiveClickstream(opts, 1000), rate: 1000, durationMs: 60_000, behaviour });
 */
export async function produceClickstream(options: ProducerOptions): Promise<ProduceReport> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const tick = options.tickMs ?? 100;
  const writer = new RecordWriter(options.transport, options.writer);
  const behaviour = new ClientBehaviour(options.behaviour);
  const report: ProduceReport = {
    events: 0,
    written: 0,
    failed: 0,
    resent: 0,
    requests: 0,
    duplicates: 0,
    late: 0,
    disordered: 0,
    malformed: 0,
    seconds: 0,
  };
  const send = async (records: OutgoingRecord[]) => {
    if (records.length === 0) return;
    const at = now();
    const result = await writer.write(
      records.map((r) => ({ partitionKey: r.partitionKey, data: r.encode(at) })),
    );
    report.written += result.written;
    report.failed += result.failed;
    report.resent += result.resent;
    report.requests += result.requests;
    options.onWritten?.(result.outcomes, now());
  };
  const started = now();
  let lastProgress = started;
  for (;;) {
    const elapsed = now() - started;
    const finished =
      options.source.exhausted ||
      (options.durationMs !== undefined && elapsed >= options.durationMs) ||
      options.stopped?.() === true;
    if (finished) break;
    const due = Math.floor(
      (options.rate * Math.min(elapsed + tick, options.durationMs ?? Number.POSITIVE_INFINITY)) / 1000,
    );
    const events = options.source.next(now(), Math.min(Math.max(0, due - report.events), 10_000));
    report.events += events.length;
    await send(behaviour.admit(events));
    if (now() - lastProgress >= 1000) {
      lastProgress = now();
      options.onProgress?.({ ...report, ...pick(behaviour), seconds: (now() - started) / 1000 });
    }
    const wait = started + (Math.floor((now() - started) / tick) + 1) * tick - now();
    if (wait > 0) await sleep(wait);
  }
  await send(behaviour.drain());
  return { ...report, ...pick(behaviour), seconds: (now() - started) / 1000 };
}

function pick(behaviour: ClientBehaviour) {
  const { duplicates, late, disordered, malformed } = behaviour.counts;
  return { duplicates, late, disordered, malformed };
}
