import { defineConfig } from 'vitest/config';

// `npm run test:matrix`: the consumer matrix (README "Compatibility"), apart from `npm test`.
export default defineConfig({
  test: {
    include: ['test/matrix/*.test.ts'],
    globalSetup: ['test/matrix/setup.ts'],
    testTimeout: 480_000,
    hookTimeout: 300_000,
    // 2 cores: at most 2 cells (npm install + runner + services each) at once.
    maxConcurrency: 2,
    maxWorkers: 1,
    reporters: ['default', './test/matrix/summary-reporter.ts'],
  },
});
