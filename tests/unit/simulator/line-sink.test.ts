import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { LineSink } from '../../../assets/raw/simulator/line-sink.js';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function pathIn(name: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'shopflow-line-sink-'));
  folders.push(folder);
  return join(folder, name);
}

describe('LineSink', () => {
  test('writes the header and lines as UTF-8, one per line, with the rows, size and SHA-256 of the file', async () => {
    const path = pathIn('out.csv');
    const sink = new LineSink(path);
    const lines = ['Zoë,Müller,€12.50', 'plain', '', '日本語の行', 'emoji 🛒 cart'];
    // NOTE: more lines than one buffer holds, so lines cross several flushes, and one line longer
    // than a whole buffer.
    for (let i = 0; i < 20_000; i++) lines.push(`row ${i} ${'é'.repeat(i % 50)}`);
    lines.push('x'.repeat(700 * 1024));
    sink.header('name,surname,amount');
    for (const line of lines) if (sink.push(line)) await sink.flush();
    const written = await sink.close();
    const expected = Buffer.from(`name,surname,amount\n${lines.join('\n')}\n`, 'utf8');
    const bytes = readFileSync(path);
    expect(bytes.equals(expected)).toBe(true);
    expect(written).toEqual({
      rows: lines.length,
      bytes: expected.length,
      sha256: createHash('sha256').update(expected).digest('hex'),
    });
  });

  test('an empty sink writes an empty file', async () => {
    const path = pathIn('empty.jsonl');
    const written = await new LineSink(path).close();
    expect(readFileSync(path).length).toBe(0);
    expect(written).toEqual({ rows: 0, bytes: 0, sha256: createHash('sha256').digest('hex') });
  });
});
