// After: the same two servers in cleanroom.config.ts; playwright.config.ts keeps only
// globalSetup: 'cleanroom-e2e/playwright' (and baseURL: process.env.CLEANROOM_WEB_URL).
import { defineConfig } from 'cleanroom-e2e';

export default defineConfig({
  verbose: true, // stdout: 'pipe' (every service's lines, prefixed [api] / [web])
  reuseExisting: true, // reuseExistingServer: !process.env.CI (in CI cleanroom still starts clean)
  services: {
    api: {
      // name: 'api' is the key
      command: 'npm run start:api',
      port: 8000,
      ready: 'http://localhost:8000/health', // url
      readyTimeout: 120_000, // timeout
      stopSignal: 'SIGTERM', // gracefulShutdown.signal
      stopTimeout: 5_000, // gracefulShutdown.timeout
    },
    web: {
      command: 'npm run dev',
      port: 3000, // port
      ready: { log: /ready in \d+ ms/ }, // wait: { stdout: /…/ }
    },
  },
});
