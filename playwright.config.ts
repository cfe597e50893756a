import { existsSync } from 'node:fs';
import { chromium, defineConfig, devices } from '@playwright/test';

// Prefer Playwright's own Chromium when `npx playwright install` has run;
// otherwise fall back to the distro build (e.g. Debian's /usr/bin/chromium).
// executablePath() returns the expected path even when nothing is installed.
const bundled = chromium.executablePath();
const executablePath = existsSync(bundled) ? bundled : '/usr/bin/chromium';

export default defineConfig({
  testDir: 'e2e',
  // cleanroom starts the services from ./cleanroom.config.ts, waits until they
  // are ready, exports CLEANROOM_<NAME>_URL to the workers and stops everything
  // afterwards. (No Playwright `webServer`: cleanroom replaces it.)
  // In your project this is `globalSetup: 'cleanroom-e2e/playwright'`; this repo is the package itself,
  // and Playwright resolves bare specifiers from node_modules only, so it points at the build.
  globalSetup: './dist/integrations/playwright.js',
  reporter: 'list',
  retries: 0,
  workers: 2,
  timeout: 30_000,
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: {
          executablePath,
          args: [
            // Needed when running as root (containers/CI).
            '--no-sandbox',
            '--disable-gpu',
            '--disable-dev-shm-usage',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
          ],
        },
      },
    },
  ],
});
