import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync, statSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ShopflowError } from '../../errors/error-catalog.js';

/**
 * What a blob write accepts: bytes, text (UTF-8), a stream (read once, staged to a temporary file so a
 * retry can replay it) or a file on disk (re-opened for every attempt; it must not change meanwhile).
 */
export type BlobBody = Buffer | Uint8Array | string | Readable | { file: string };

/**
 * A `put` body made replayable and measured: bytes in memory, or a file that can be re-opened for
 * every attempt. Streams are copied to a temporary file first (that is what makes retries and the
 * identical-bytes check possible); `dispose` removes that file.
 */
export interface StagedBody {
  sha256: string;
  size: number;
  buffer?: Buffer;
  file?: string;
  /** True when `file` is a temporary copy the store may move instead of copying. */
  owned: boolean;
  dispose(): Promise<void>;
}

const noop = async (): Promise<void> => {};

function hashing(hash: ReturnType<typeof createHash>, counter: { size: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      counter.size += chunk.length;
      callback(null, chunk);
    },
  });
}

/** SHA-256 and size of everything a stream yields. */
export async function hashStream(stream: Readable): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

// NOTE: a file this small is read in one call: a stream costs an open, reads and a close handed to
// the thread pool one after another, which for the lake's many small files is most of the time.
export const READ_WHOLE_BYTES = 4 * 1024 * 1024;

/**
 * SHA-256 and size of a file on disk: read whole when small, streamed otherwise.
 *
 * @example
 * const { sha256, size } = await hashFile('lake/orders/partition=2024-01-15/data.parquet');
 */
export async function hashFile(path: string): Promise<{ sha256: string; size: number }> {
  if (statSync(path).size > READ_WHOLE_BYTES) return await hashStream(createReadStream(path));
  const bytes = readFileSync(path);
  return { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
}

function isReadable(body: unknown): body is Readable {
  return body instanceof Readable || (typeof body === 'object' && body !== null && 'pipe' in body);
}

/**
 * Hashes `body` and makes it replayable; stream bodies are written to a new file in `stagingDir`.
 *
 * @example
 * const staged = await stageBody(process.stdin, os.tmpdir());
 * try { upload(staged.file!, staged.sha256); } finally { await staged.dispose(); }
 */
export async function stageBody(body: BlobBody, stagingDir: string): Promise<StagedBody> {
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const buffer = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
    const sha256 = createHash('sha256').update(buffer).digest('hex');
    return { sha256, size: buffer.length, buffer, owned: false, dispose: noop };
  }
  if (isReadable(body)) {
    await mkdir(stagingDir, { recursive: true });
    const file = join(stagingDir, `stage-${randomBytes(8).toString('hex')}`);
    const hash = createHash('sha256');
    const counter = { size: 0 };
    const out = createWriteStream(file);
    try {
      await pipeline(body, hashing(hash, counter), out);
    } catch (error) {
      // NOTE: a source that fails at once can reject the pipeline before the file is even opened;
      // removing it only after the write stream closed leaves nothing behind.
      if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
      await rm(file, { force: true });
      throw new ShopflowError('SF_IO', 'reading the stream given to put failed before anything was stored', {
        cause: error,
        hint: 'check the source of the stream; nothing was written and the previous version is intact',
      });
    }
    return {
      sha256: hash.digest('hex'),
      size: counter.size,
      file,
      owned: true,
      dispose: () => rm(file, { force: true }),
    };
  }
  if (typeof body === 'object' && body !== null && typeof (body as { file?: unknown }).file === 'string') {
    const file = (body as { file: string }).file;
    try {
      const { sha256, size } = await hashFile(file);
      return { sha256, size, file, owned: false, dispose: noop };
    } catch (error) {
      throw new ShopflowError('SF_INPUT_INVALID', `cannot read the file to put \`${file}\``, {
        cause: error,
        hint:
          (error as NodeJS.ErrnoException).code === 'ENOENT'
            ? 'the file does not exist; check the path'
            : undefined,
      });
    }
  }
  throw new ShopflowError('SF_INPUT_INVALID', `put body of type ${typeof body} is not supported`, {
    hint: 'pass a Buffer, a string, a Readable stream or { file: path }',
  });
}

/** A fresh stream of the staged bytes (a new one for every attempt). */
export function openStaged(staged: StagedBody): Readable {
  return staged.buffer ? Readable.from([staged.buffer]) : createReadStream(staged.file!);
}
