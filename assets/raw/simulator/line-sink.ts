import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';

// NOTE: lines are encoded straight into a buffer of this size, which is handed to the stream when
// full: no joined string to flatten and encode again.
const CHUNK_BYTES = 512 * 1024;
const FLUSH_AT_BYTES = 256 * 1024;
// NOTE: chunks queue in the stream up to this many bytes before `flush` waits: the next lines are
// generated while the file system writes the previous ones, instead of after.
const QUEUED_BYTES = 2 * 1024 * 1024;

/** Size and content hash of a written file. */
export interface WrittenFile {
  /** Data lines (the CSV header is not counted). */
  rows: number;
  bytes: number;
  sha256: string;
}

/**
 * A text file written line by line in large chunks, honouring the stream's backpressure, with its
 * sha256 computed on the way (the file is never read back).
 *
 * @example
 * const sink = new LineSink(path);
 * if (sink.push('a,b')) await sink.flush();
 * const { rows, sha256 } = await sink.close();
 */
export class LineSink {
  private readonly stream: WriteStream;
  private readonly hash = createHash('sha256');
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
  private rows = 0;
  private bytes = 0;
  private failure: Error | undefined;

  constructor(readonly path: string) {
    this.stream = createWriteStream(path, { flags: 'wx', highWaterMark: QUEUED_BYTES });
    this.stream.on('error', (error) => {
      this.failure ??= error;
    });
  }

  /** Buffers a header line (not counted in `rows`). */
  header(line: string): void {
    this.append(line);
  }

  /** Buffers one data line; returns true when the caller should `await flush()`. */
  push(line: string): boolean {
    this.append(line);
    this.rows += 1;
    return this.used >= FLUSH_AT_BYTES;
  }

  /**
   * Buffers `rows` data lines already encoded, each ending in `\n` (copied: the caller may reuse
   * `bytes`); returns true when the caller should `await flush()`.
   */
  pushBytes(bytes: Uint8Array, rows: number): boolean {
    this.reserve(bytes.length);
    this.chunk.set(bytes, this.used);
    this.used += bytes.length;
    this.rows += rows;
    return this.used >= FLUSH_AT_BYTES;
  }

  private append(line: string): void {
    this.reserve(line.length * 3 + 1);
    this.used += this.chunk.write(line, this.used);
    this.chunk[this.used++] = 0x0a;
  }

  /** Makes room for `most` more bytes (a UTF-16 code unit takes at most 3 bytes in UTF-8). */
  private reserve(most: number): void {
    if (this.used + most > this.chunk.length) {
      // NOTE: doubling keeps the copying linear when a caller pushes many lines between flushes.
      const larger = Buffer.allocUnsafe(Math.max(this.chunk.length * 2, this.used + most));
      this.chunk.copy(larger, 0, 0, this.used);
      this.chunk = larger;
    }
  }

  /** Rows pushed so far. */
  get rowCount(): number {
    return this.rows;
  }

  /** Writes the buffered lines, waiting while the stream is over its high-water mark. */
  async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.used === 0) return;
    // NOTE: the stream keeps the written bytes until they reach the file: the next lines go to a new buffer.
    const chunk = this.chunk.subarray(0, this.used);
    this.chunk = Buffer.allocUnsafe(this.chunk.length);
    this.used = 0;
    this.hash.update(chunk);
    this.bytes += chunk.length;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  /** Flushes, closes the file and returns its size and hash. */
  async close(): Promise<WrittenFile> {
    await this.flush();
    this.stream.end();
    await finished(this.stream);
    if (this.failure) throw this.failure;
    return { rows: this.rows, bytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  /** Abandons the file (after a failure elsewhere); resolves once its descriptor is closed. */
  destroy(): Promise<void> {
    const closed = this.stream.closed ? Promise.resolve() : once(this.stream, 'close').then(() => undefined);
    this.stream.destroy();
    return closed;
  }
}
