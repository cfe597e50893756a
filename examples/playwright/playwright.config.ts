import { defineConfig } from '@playwright/test';

export default defineConfig({
  // Starts the services of cleanroom.config.ts (next to this file) and stops them after the run,
  // also on Ctrl+C and SIGTERM. No webServer block.
  globalSetup: 'cleanroom-e2e/playwright',
  // The workers start after globalSetup, with CLEANROOM_<NAME>_URL in their environment.
  use: { baseURL: process.env.CLEANROOM_WEB_URL },
});
