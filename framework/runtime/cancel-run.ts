import { type CancelRequestResult, requestRunCancel } from '../executor/run-cancellation.js';
import type { ShopflowRuntime } from './shopflow-runtime.js';

/**
 * Asks for a run of this instance to be canceled (see `requestRunCancel`): the process executing it
 * stops launching steps and ends it `canceled`; a run whose process is gone is ended at once.
 *
 * @example
 * const { outcome } = await cancelRun(runtime, run, 'cli');
 */
export async function cancelRun(
  runtime: ShopflowRuntime,
  run: Parameters<typeof requestRunCancel>[0]['run'],
  by: string,
): Promise<CancelRequestResult> {
  return await requestRunCancel({
    store: runtime.store,
    run,
    by,
    now: runtime.services.now(),
    deadAfterMs: runtime.services.deadAfterMs,
    graph: runtime.graph,
    lake: runtime.lake,
  });
}
