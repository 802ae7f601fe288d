import type { Writable } from 'node:stream';

const guarded = new WeakSet<Writable>();

/**
 * Lets a command stop quietly when the reader of its output goes away (`shopflow runs | head -3`):
 * an `EPIPE` on the stream is absorbed and later writes are dropped, instead of an unhandled
 * `'error'` event crashing the process with a stack trace. The command then finishes as usual and
 * exits with its own code.
 *
 * @example
 * ignoreClosedPipe(process.stdout);
 */
export function ignoreClosedPipe(stream: Writable): void {
  if (guarded.has(stream)) return;
  guarded.add(stream);
  stream.on('error', (error: NodeJS.ErrnoException) => {
    // NOTE: after EPIPE the stream is destroyed; every later write fails the same way and lands here.
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
    throw error;
  });
}
