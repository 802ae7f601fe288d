import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ShopflowError } from '../errors/error-catalog.js';
import type { OpenLineageTransport } from './openlineage-emitter.js';
import type { OpenLineageRunEvent } from './run-event.js';

/**
 * Appends each event as one JSON line to a file (`openlineage.file`), e.g. for a collector that
 * tails it or to replay into Marquez later. One `appendFileSync` per event: a line is never split.
 *
 * @example
 * new FileTransport('.shopflow/logs/openlineage.jsonl');
 */
export class FileTransport implements OpenLineageTransport {
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
  }

  async send(event: OpenLineageRunEvent): Promise<void> {
    appendFileSync(this.path, `${JSON.stringify(event)}\n`);
  }
}

/**
 * POSTs each event to an OpenLineage HTTP endpoint (`openlineage.url`; Marquez answers on
 * `/api/v1/lineage`), with `Authorization: Bearer <key>` when an API key is given (from the
 * environment variable `openlineage.apiKeyEnv` names; never from the config file). A non-2xx answer
 * or a timeout is an error for the caller to log; the run never waits more than `timeoutMs`.
 *
 * @example
 * new HttpTransport({ url: 'http://marquez:5000/api/v1/lineage', apiKey: process.env.OPENLINEAGE_API_KEY });
 */
export class HttpTransport implements OpenLineageTransport {
  constructor(private readonly options: { url: string; apiKey?: string; timeoutMs?: number }) {}

  async send(event: OpenLineageRunEvent): Promise<void> {
    const response = await fetch(this.options.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
      },
      body: JSON.stringify(event),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
    });
    if (!response.ok) {
      throw new ShopflowError(
        'SF_UNREACHABLE',
        `the OpenLineage endpoint ${new URL(this.options.url).origin} answered ${response.status} to a ${event.eventType} event of ${event.job.name}`,
        { hint: 'check `openlineage.url` and the API key variable it needs' },
      );
    }
  }
}
