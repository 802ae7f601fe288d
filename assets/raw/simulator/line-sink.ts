import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';

const FLUSH_AT_CHARS = 256 * 1024;

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
  private buffer = '';
  private rows = 0;
  private bytes = 0;
  private failure: Error | undefined;

  constructor(readonly path: string) {
    this.stream = createWriteStream(path, { flags: 'wx' });
    this.stream.on('error', (error) => {
      this.failure ??= error;
    });
  }

  /** Buffers a header line (not counted in `rows`). */
  header(line: string): void {
    this.buffer += `${line}\n`;
  }

  /** Buffers one data line; returns true when the caller should `await flush()`. */
  push(line: string): boolean {
    this.buffer += `${line}\n`;
    this.rows += 1;
    return this.buffer.length >= FLUSH_AT_CHARS;
  }

  /** Rows pushed so far. */
  get rowCount(): number {
    return this.rows;
  }

  /** Writes the buffered lines, waiting while the stream is over its high-water mark. */
  async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.buffer.length === 0) return;
    const chunk = Buffer.from(this.buffer, 'utf8');
    this.buffer = '';
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

  /** Abandons the file (after a failure elsewhere). */
  destroy(): void {
    this.stream.destroy();
  }
}
