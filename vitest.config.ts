import { defineConfig } from 'vitest/config';

// Lean workers are slow to start (about a minute on the embedded Lean) and use ~1.7 GB each:
// test files run one at a time, each sharing one worker across its tests. Under CI the
// results are also written as JSON, from which .ci/run prints its summary line.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 600_000,
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.vitest-results.json' }]] : ['default'],
  },
});
