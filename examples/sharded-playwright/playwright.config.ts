import { defineConfig } from '@playwright/test';

// Run with `npx playwright test --shard=1/2` on one machine and `--shard=2/2` on another: each shard
// runs globalSetup, so each starts its own services and stops them. With port: 'auto' in
// cleanroom.config.ts two shards on one machine get different ports instead of colliding.
export default defineConfig({
  globalSetup: 'cleanroom-e2e/playwright',
  use: { baseURL: process.env.CLEANROOM_WEB_URL },
  fullyParallel: true, // shards split tests, not only files
});
