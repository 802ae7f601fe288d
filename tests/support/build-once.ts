import { execFileSync } from 'node:child_process';

/** Vitest global setup: compile to dist/ once, so tests that spawn `bin/shopflow.js` run current code. */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
