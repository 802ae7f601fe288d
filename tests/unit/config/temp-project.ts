import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A throwaway project folder for configuration tests; `files` maps relative paths to contents. */
export function tempProject(files: Record<string, string> = {}): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'shopflow-config-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
