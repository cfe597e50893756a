import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Starts the services of cleanroom.config.ts before the first test file, stops them after the last.
    globalSetup: ['cleanroom-e2e/vitest'],
  },
});
