import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { hashFile } from '../../../framework/index.js';
import { tempHome } from '../../support/example-runtime.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const fn of cleanups.splice(0)) fn();
});

function fileOf(bytes: Buffer): string {
  const { home, cleanup } = tempHome('shopflow-hash-file-');
  cleanups.push(cleanup);
  const path = join(home, 'file.bin');
  writeFileSync(path, bytes);
  return path;
}

describe('hashFile', () => {
  test('a small file (read whole) and a large one (streamed) give the SHA-256 and size of their bytes', async () => {
    for (const size of [0, 1000, 4 * 1024 * 1024 + 17]) {
      const bytes = Buffer.alloc(size, 'x');
      if (size > 0) bytes[size - 1] = 0x01;
      expect(await hashFile(fileOf(bytes))).toEqual({
        sha256: createHash('sha256').update(bytes).digest('hex'),
        size,
      });
    }
  });

  test('a missing file rejects with ENOENT', async () => {
    await expect(hashFile(join(fileOf(Buffer.from('a')), '..', 'gone.bin'))).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });
});
