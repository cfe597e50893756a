import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The consumer matrix has its own config and CI step (npm run test:matrix).
    exclude: ['test/matrix/**', '**/node_modules/**'],
    // Packs the tarball and installs it into a scratch consumer project once per run.
    globalSetup: ['test/setup/consumer.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // These tests spawn real runners and services: 2 cores, so at most 2 files at a time.
    maxWorkers: 2,
    // JSON too, so CI can print one plain closing line (scripts/test-summary.mjs).
    reporters: ['default', ['json', { outputFile: '.tmp/vitest-results.json' }]],
  },
});
