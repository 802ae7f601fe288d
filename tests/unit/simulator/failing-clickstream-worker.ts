/**
 * A clickstream worker entry that starts, then crashes: clickstream-lane.test.ts passes it as
 * `workerEntry` to see how a failure inside the worker thread surfaces.
 */
import { parentPort } from 'node:worker_threads';

parentPort!.postMessage({ type: 'started' });
setTimeout(() => {
  throw new Error('the clickstream fixture crashed on purpose');
}, 20);
