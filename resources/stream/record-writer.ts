import { ShopflowError } from '../../framework/index.js';
import { fullJitterDelayMs } from './backoff.js';
import type { PutEntry, PutOutcome, StreamTransport } from './stream-transport.js';
import { isStreamFailure } from './stream-transport-error.js';

/** Kinesis `PutRecords` limits: entries per request, bytes per request and per record. */
export const PUT_LIMITS = Object.freeze({
  entries: 500,
  requestBytes: 5 * 1024 * 1024,
  recordBytes: 1024 * 1024,
});

/** How a {@link RecordWriter} retries. */
export interface RecordWriterOptions {
  /** Calls per entry before it is reported as failed (default 10). */
  maxAttempts?: number;
  /** Backoff base and cap (default 50 ms, 2 s), full jitter. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Told before each wait: how many entries are resent and why. */
  onRetry?: (event: { attempt: number; entries: number; errorCodes: string[]; delayMs: number }) => void;
}

/** What {@link RecordWriter.write} did. */
export interface WriteReport {
  /** Per input entry, in order: where it landed, or why it failed after the last attempt. */
  outcomes: PutOutcome[];
  written: number;
  failed: number;
  /** PutRecords calls made. */
  requests: number;
  /** Entries sent again after a failure of their own (other entries of the call were not resent). */
  resent: number;
}

function entryBytes(entry: PutEntry): number {
  return entry.data.byteLength + Buffer.byteLength(entry.partitionKey);
}

/** Cuts entries into requests within {@link PUT_LIMITS}. */
export function putRequests(entries: readonly PutEntry[]): number[][] {
  const requests: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  entries.forEach((entry, index) => {
    const size = entryBytes(entry);
    if (current.length === PUT_LIMITS.entries || bytes + size > PUT_LIMITS.requestBytes) {
      requests.push(current);
      current = [];
      bytes = 0;
    }
    current.push(index);
    bytes += size;
  });
  if (current.length > 0) requests.push(current);
  return requests;
}

/**
 * Writes records with `PutRecords`: batches within the API limits, and after a partial failure
 * sends again only the entries that failed (throttled, internal error), with exponential backoff
 * and full jitter, up to `maxAttempts` calls per entry. A request that fails as a whole for a
 * transient reason (throttled, unreachable) is retried the same way; any other error is thrown.
 *
 * @example
 * const report = await new RecordWriter(transport).write([{ partitionKey: 's1', data }]);
 * report.failed; // 0
 */
export class RecordWriter {
  private readonly maxAttempts: number;

  constructor(
    private readonly transport: StreamTransport,
    private readonly options: RecordWriterOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 10;
  }

  async write(entries: readonly PutEntry[]): Promise<WriteReport> {
    entries.forEach((entry, index) => {
      if (entry.data.byteLength > PUT_LIMITS.recordBytes) {
        throw new ShopflowError(
          'SF_INPUT_INVALID',
          `record ${index} (partition key \`${entry.partitionKey}\`) has ${entry.data.byteLength} bytes, more than the ${PUT_LIMITS.recordBytes} a stream record may have`,
          { hint: 'send smaller events' },
        );
      }
      if (entry.partitionKey.length < 1 || entry.partitionKey.length > 256) {
        throw new ShopflowError(
          'SF_INPUT_INVALID',
          `record ${index} has a partition key of ${entry.partitionKey.length} characters`,
          { hint: 'use 1 to 256 characters (the session id)' },
        );
      }
    });
    const outcomes: PutOutcome[] = new Array(entries.length);
    const report = { requests: 0, resent: 0 };
    for (const request of putRequests(entries)) await this.send(entries, request, outcomes, report);
    const written = outcomes.filter((o) => o.ok).length;
    return { outcomes, written, failed: entries.length - written, ...report };
  }

  private async send(
    entries: readonly PutEntry[],
    indexes: number[],
    outcomes: PutOutcome[],
    report: { requests: number; resent: number },
  ): Promise<void> {
    const sleep = this.options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
    const policy = { baseMs: this.options.baseDelayMs ?? 50, maxMs: this.options.maxDelayMs ?? 2_000 };
    let pending = indexes;
    for (let attempt = 1; pending.length > 0; attempt++) {
      let results: PutOutcome[];
      try {
        report.requests++;
        results = await this.transport.putRecords(pending.map((i) => entries[i]));
      } catch (error) {
        if (!isStreamFailure(error) || !error.transient || attempt >= this.maxAttempts) throw error;
        results = pending.map(() => ({ ok: false, errorCode: error.reason, errorMessage: error.message }));
      }
      const failed: number[] = [];
      results.forEach((result, k) => {
        outcomes[pending[k]] = result;
        if (!result.ok) failed.push(pending[k]);
      });
      if (failed.length === 0 || attempt >= this.maxAttempts) return;
      const delayMs = fullJitterDelayMs(attempt, policy, this.options.random);
      this.options.onRetry?.({
        attempt,
        entries: failed.length,
        errorCodes: [...new Set(failed.map((i) => (outcomes[i] as { errorCode: string }).errorCode))],
        delayMs,
      });
      report.resent += failed.length;
      await sleep(delayMs);
      pending = failed;
    }
  }
}
