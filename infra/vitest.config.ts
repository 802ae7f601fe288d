import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // NOTE: synthesizing a stack takes a few seconds of CPU; the per-environment templates are
    // cached per test file, so the generous timeout only matters on a busy machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
