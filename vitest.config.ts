import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** Tests that must leave nothing behind on the portable path (`ps`, `ss`/`lsof`) too: see README, CLEANROOM_PROCFS. */
const PORTABLE_PATH_TESTS = [
  'test/api/start-and-stop-leaves-nothing.test.ts',
  'test/api/sigterm-ignored-gets-sigkill.test.ts',
  'test/api/crash-before-ready-fails-at-once.test.ts',
  'test/api/crash-after-ready-is-reported.test.ts',
  'test/api/grandchild-holding-pipe-does-not-hang-stop.test.ts',
  'test/ports/port-in-use-policies.test.ts',
  'test/kill/kill-policy-never-hits-what-is-not-ours.test.ts',
  'test/guards/programmatic-runner-ends-any-way.test.ts',
  'test/guards/kill-9-of-runner-leaves-nothing.test.ts',
];

export default defineConfig({
  test: {
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
    projects: [
      { extends: true, test: { name: 'procfs', include: ['test/**/*.test.ts'] } },
      // The same leave-nothing tests with /proc turned off: `npx vitest run --project ps`. A ledger of
      // their own: a cleanroom older than the portable clock (ps start times) would take these runs'
      // records for dead runs and reap their services.
      {
        extends: true,
        test: {
          name: 'ps',
          include: PORTABLE_PATH_TESTS,
          env: { CLEANROOM_PROCFS: '0', CLEANROOM_STATE_DIR: fileURLToPath(new URL('.tmp/state-ps', import.meta.url)) },
        },
      },
    ],
  },
});
