// Before: Playwright's webServer starts the servers (and leaves them running on SIGTERM or kill -9).
import { defineConfig } from '@playwright/test';

export default defineConfig({
  webServer: [
    {
      name: 'api',
      command: 'npm run start:api',
      url: 'http://localhost:8000/health',
      reuseExistingServer: !process.env.CI,
      timeout: 120_000,
      gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
      stdout: 'pipe',
    },
    {
      name: 'web',
      command: 'npm run dev',
      port: 3000,
      wait: { stdout: /ready in \d+ ms/ },
      reuseExistingServer: !process.env.CI,
    },
  ],
  use: { baseURL: 'http://localhost:3000' },
});
