import type { WrittenFile } from './line-sink.js';

/** Messages from the clickstream worker thread to the thread that started it. */
export type LaneMessage =
  /** The worker's modules loaded: from now on a failure is a real one, not a missing loader. */
  | { type: 'started' }
  | { type: 'day'; day: number; rows: number }
  | { type: 'done'; file: WrittenFile }
  | { type: 'failed'; error: SerializedError };

/** An error as it crosses the thread boundary (structured clone keeps neither `code` nor the class). */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
}

/** The postable form of anything thrown. */
export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const code = (error as NodeJS.ErrnoException).code;
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    ...(typeof code === 'string' ? { code } : {}),
  };
}

/**
 * The error to throw in the starting thread for a failure in the worker: it names the file and the
 * thread, keeps the worker's stack as its cause, and keeps an IO error's `code` (so it is reported
 * as the IO error it is).
 */
export function workerFailure(serialized: SerializedError): Error {
  const cause = Object.assign(new Error(serialized.message), serialized);
  const error = new Error(`writing clickstream.jsonl in a worker thread failed: ${serialized.message}`, {
    cause,
  });
  if (serialized.code !== undefined) Object.assign(error, { code: serialized.code });
  return error;
}
