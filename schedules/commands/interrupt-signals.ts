/**
 * Handles SIGINT and SIGTERM for a long-running command: the first signal calls `graceful` (finish
 * what is in flight, then stop), a second one exits at once with code 130. Returns the function
 * that removes the handlers.
 *
 * @example
 * const dispose = onInterrupt(() => daemon.stop());
 * try { await daemon.run({ intervalSeconds: 10 }); } finally { dispose(); }
 */
export function onInterrupt(graceful: (signal: NodeJS.Signals) => void): () => void {
  let received = 0;
  const handler = (signal: NodeJS.Signals) => {
    received++;
    if (received > 1) process.exit(130);
    graceful(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
