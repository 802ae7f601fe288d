/**
 * Worker-thread entry that writes clickstream.jsonl (see clickstream-lane.ts for the protocol).
 * It imports nothing but the clickstream's own modules (no Faker), so it starts in milliseconds.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type ClickstreamJob, writeClickstreamFile } from './clickstream-file.js';
import { type LaneMessage, serializeError } from './clickstream-lane-protocol.js';

if (!parentPort) throw new Error('clickstream-worker runs only as a worker thread (see clickstream-lane.ts)');
const port = parentPort;
const post = (message: LaneMessage) => port.postMessage(message);
const cancel = new AbortController();
port.on('message', (message: unknown) => {
  if (message === 'cancel') cancel.abort();
});
post({ type: 'started' });
try {
  const file = await writeClickstreamFile(workerData as ClickstreamJob, {
    onDay: (day, rows) => post({ type: 'day', day, rows }),
    signal: cancel.signal,
  });
  post({ type: 'done', file });
} catch (error) {
  post({ type: 'failed', error: serializeError(error) });
} finally {
  // NOTE: the listener above would keep the thread alive once the file is written.
  port.close();
}
